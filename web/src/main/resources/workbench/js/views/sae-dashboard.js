// A feature's dashboard, as `phiscope sae dashboard` stored it for the SAE: how often it fires, a
// histogram of its activations, the contexts where it fires most and at its quartiles (each token
// shaded by the feature there), and the tokens its decoder direction raises and lowers. A search
// finds features by the token they fire on, the text around them, or a token they raise.

import {postJson} from '../api.js';
import {css, element, format, sequential, sizeCanvas, visible} from '../draw.js';

const WIDTH = 520;
const HEIGHT = 130;

function drawHistogram(canvas, histogram) {
  const context = sizeCanvas(canvas, WIDTH, HEIGHT);
  context.fillStyle = '#fff';
  context.fillRect(0, 0, WIDTH, HEIGHT);
  const counts = histogram?.counts ?? [];
  const most = Math.max(1, ...counts);
  const plot = {x: 40, y: 10, w: WIDTH - 50, h: HEIGHT - 36};
  const w = plot.w / Math.max(1, counts.length);
  context.fillStyle = css([36, 87, 197]);
  counts.forEach((count, i) => {
    const h = plot.h * count / most;
    context.fillRect(plot.x + i * w + 1, plot.y + plot.h - h, w - 2, h);
  });
  context.fillStyle = '#1d2330';
  context.font = '11px system-ui, sans-serif';
  context.fillText('0', plot.x, HEIGHT - 12);
  context.fillText(format(histogram?.max ?? 0), plot.x + plot.w - 40, HEIGHT - 12);
  context.fillText(String(most), 4, plot.y + 10);
  context.fillText('activation (when it fires)', plot.x + plot.w / 2 - 60, HEIGHT - 2);
  canvas.dataset.bins = counts.length;
  canvas.dataset.tallest = most;
}

/** One context: its tokens shaded by the feature's activation, the activating token outlined. */
function contextLine(context, max, label) {
  const line = element('div', {className: 'tokens sae-context'});
  line.append(element('span', {className: 'muted', textContent: label + ' '}));
  context.tokens.forEach((text, i) => {
    const a = context.values[i];
    const chip = element('span', {className: 'tok' + (i === context.position ? ' selected' : '')});
    chip.textContent = visible(text) || '∅';
    chip.style.background = css(sequential(a / max));
    chip.style.color = a / max > 0.6 ? '#fff' : '';
    chip.title = format(a);
    line.append(chip);
  });
  return line;
}

function logitList(title, entries) {
  const table = element('table', {className: 'predictions'});
  table.append(element('tr', {}, element('th', {textContent: title, colSpan: 2})));
  for (const entry of entries) {
    table.append(element('tr', {}, element('td', {className: 'tokcell', textContent: JSON.stringify(visible(entry.token))}),
      element('td', {textContent: (entry.logit >= 0 ? '+' : '') + format(entry.logit)})));
  }
  return table;
}

export default {
  id: 'sae-dashboard', title: 'Feature dashboard', group: 'sae', wide: true,

  mount(body, ctx, setSubtitle) {
    const {state} = ctx;
    const query = element('input', {type: 'text', placeholder: 'e.g. def, or a token it raises', size: 24});
    query.dataset.testid = 'sae-query';
    const by = element('select', {}, new Option('fires on the token', 'token'), new Option('fires in text containing', 'text'),
      new Option('raises the token', 'logit'));
    const search = element('button', {type: 'button', textContent: 'Search'});
    search.dataset.testid = 'sae-search';
    const feature = element('input', {type: 'number', min: 0, step: 1});
    feature.dataset.testid = 'sae-feature';
    body.append(element('div', {className: 'controls'}, element('label', {}, 'feature ', feature), element('label', {}, 'find features that ', by),
      query, search));
    const matches = element('table', {className: 'neurons'});
    matches.dataset.testid = 'sae-matches';
    const summary = element('div');
    summary.dataset.testid = 'sae-summary';
    const histogram = element('canvas');
    histogram.dataset.testid = 'sae-histogram';
    const contexts = element('div');
    contexts.dataset.testid = 'sae-contexts';
    const logits = element('div', {className: 'side-by-side'});
    logits.dataset.testid = 'sae-logits';
    const error = element('div', {className: 'error'});
    body.append(matches, error, summary, histogram, contexts, logits);

    let dashboard = null;
    let found = null;
    let sequence = 0;

    feature.onchange = () => state.set({feature: Math.max(-1, Math.floor(Number(feature.value)))});
    by.onchange = () => state.set({saeSearchBy: by.value});
    query.onchange = () => state.set({saeSearch: query.value});
    search.onclick = () => {
      state.set({saeSearch: query.value, saeSearchBy: by.value});
      find();
    };
    query.addEventListener('keydown', event => {
      if (event.key === 'Enter') search.click();
    });
    matches.addEventListener('click', event => {
      const row = event.target.closest('tr[data-feature]');
      if (row) state.set({feature: Number(row.dataset.feature)});
    });

    async function find() {
      const v = state.get();
      matches.replaceChildren();
      if (!v.sae || !v.saeSearch) return;
      try {
        found = await postJson('/api/sae/search', {sae: v.sae, query: v.saeSearch, by: v.saeSearchBy, limit: 12});
        error.textContent = '';
        matches.append(element('tr', {}, ...['feature', 'density', 'max', found.by === 'logit' ? 'logit' : 'contexts']
          .map(t => element('th', {textContent: t}))));
        for (const m of found.matches) {
          const row = element('tr', {}, element('td', {textContent: m.feature}), element('td', {textContent: (100 * m.density).toFixed(2) + '%'}),
            element('td', {textContent: format(m.maxActivation)}),
            element('td', {textContent: found.by === 'logit' ? '+' + format(m.logit) : `${m.contexts} of the top`}));
          row.dataset.feature = m.feature;
          matches.append(row);
        }
        if (!found.matches.length) matches.append(element('tr', {}, element('td', {className: 'muted', textContent: 'no feature matches'})));
      } catch (e) {
        error.textContent = e.message;
      }
    }

    async function load() {
      const mine = ++sequence;
      const v = state.get();
      dashboard = null;
      render();
      if (!v.sae || v.feature < 0) return;
      try {
        const loaded = await postJson('/api/sae/dashboard', {sae: v.sae, feature: v.feature});
        if (mine !== sequence) return;
        dashboard = loaded;
        error.textContent = '';
        render();
      } catch (e) {
        if (mine === sequence) error.textContent = e.message;
      }
    }

    function render() {
      const v = state.get();
      if (document.activeElement !== feature) feature.value = v.feature >= 0 ? v.feature : '';
      if (document.activeElement !== query) query.value = v.saeSearch;
      by.value = v.saeSearchBy;
      summary.replaceChildren();
      contexts.replaceChildren();
      logits.replaceChildren();
      histogram.hidden = !dashboard;
      if (!dashboard) {
        setSubtitle(v.feature >= 0 ? 'loading…' : 'pick a feature on the prompt, or search');
        return;
      }
      const page = dashboard.page;
      const max = page.histogram.max || 1;
      summary.append(element('div', {}, element('strong', {textContent: `Feature ${page.feature}`}),
        ` fires on ${(100 * page.density).toFixed(2)}% of ${dashboard.tokens} tokens of ${dashboard.corpus} · max ${format(page.histogram.max)}`));
      drawHistogram(histogram, page.histogram);
      contexts.append(element('div', {className: 'muted', textContent: 'Top activations'}));
      page.top.forEach((c, i) => contexts.append(contextLine(c, max, `${i + 1}. ${format(c.activation)}`)));
      if (page.quantiles.length) contexts.append(element('div', {className: 'muted', textContent: 'At the quartiles of its activations'}));
      page.quantiles.forEach(c => contexts.append(contextLine(c, max, `q${Math.round(100 * c.quantile)} ${format(c.activation)}`)));
      if (!page.top.length) contexts.append(element('div', {className: 'empty', textContent: 'It never fired on this corpus (a dead feature).'}));
      logits.append(logitList('raises', page.positive_logits), logitList('lowers', page.negative_logits));
      setSubtitle(`${dashboard.sae} · feature ${page.feature} of ${dashboard.hook}`);
    }

    load();
    if (state.get().saeSearch) find();
    return {
      update(values, changed) {
        if (changed.has('sae') || changed.has('feature')) load();
        if (changed.has('sae')) find();
      },
      snapshot() {
        const canvas = document.createElement('canvas');
        drawHistogram(canvas, dashboard?.page.histogram);
        return canvas;
      },
      data: () => ({dashboard, search: found}),
    };
  },
};

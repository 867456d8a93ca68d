// The prompt read through a sparse autoencoder: the strongest features at the selected token,
// and the selected feature's activation shaded on every token. SAEs come from the server's saes
// folder (the model's saes/ unless serve --saes says otherwise).

import {getJson, postJson} from '../api.js';
import {css, element, format, legend, sequential, tokenChip, tokensCanvas, visible} from '../draw.js';

const TOP = 10;

export default {
  id: 'sae-features', title: 'Features on the prompt', group: 'sae', wide: true,

  mount(body, ctx, setSubtitle) {
    const {state} = ctx;
    const sae = element('select');
    sae.dataset.testid = 'sae-select';
    const info = element('span', {className: 'muted'});
    body.append(element('div', {className: 'controls'}, element('label', {}, 'SAE ', sae), info));
    const text = element('div', {className: 'tokens'});
    text.dataset.testid = 'sae-text';
    const scale = element('div');
    const table = element('table', {className: 'neurons'});
    table.dataset.testid = 'sae-top';
    const error = element('div', {className: 'error'});
    body.append(text, scale, element('div', {className: 'muted', textContent: 'Strongest features at the selected token '
      + '(click one to shade it on the text, open its dashboard and clamp it):'}), table, error);

    let saes = [];
    let result = null;
    let sequence = 0;

    sae.onchange = () => state.set({sae: sae.value, feature: -1});

    async function loadSaes() {
      try {
        const listing = await getJson('/api/saes');
        saes = listing.saes;
        const usable = saes.filter(s => !s.error);
        sae.replaceChildren(...(usable.length ? [] : [new Option(`no SAEs in ${listing.folder}`, '')]),
          ...saes.map(s => Object.assign(new Option(s.error ? `${s.name} (unusable)` : `${s.name} (${s.hook}, ${s.dSae} features)`,
            s.name), {disabled: Boolean(s.error), title: s.error || ''})));
        // No SAE named (or one no longer there): the first, keeping a feature the URL gave.
        if (usable.length && !usable.some(s => s.name === state.get().sae)) {
          state.set({sae: usable[0].name});
          return;
        }
      } catch (e) {
        error.textContent = e.message;
      }
      load();
    }

    async function load() {
      const mine = ++sequence;
      result = null;
      error.textContent = '';
      render();
      const v = state.get();
      if (!ctx.run || !v.sae) return;
      try {
        const fields = {prompt: v.prompt, sae: v.sae, topK: TOP};
        if (v.feature >= 0) fields.feature = v.feature;
        const loaded = await postJson('/api/sae/activations', fields);
        if (mine !== sequence) return;
        result = loaded;
        render();
      } catch (e) {
        if (mine === sequence) error.textContent = e.message;
      }
    }

    function maximum() {
      return result?.values ? Math.max(...result.values, 1e-6) : 1;
    }

    function render() {
      const v = state.get();
      sae.value = v.sae;
      const described = saes.find(s => s.name === v.sae);
      info.textContent = described && !described.error ? `${described.architecture}${described.k ? ' k=' + described.k : ''} · `
        + `d_in ${described.dIn} · ${described.dashboards ? 'dashboards stored' : 'no dashboards yet'}` : (described?.error ?? '');
      text.replaceChildren();
      scale.replaceChildren();
      table.replaceChildren();
      if (!ctx.run || !result) {
        setSubtitle(ctx.run && v.sae ? 'loading…' : '');
        if (!ctx.run) text.append(element('div', {className: 'empty', textContent: 'Run a prompt to read its features.'}));
        return;
      }
      const max = maximum();
      for (const token of result.tokens) {
        const chip = tokenChip(token, token.index === v.token ? 'selected' : '');
        if (result.values) {
          const a = result.values[token.index];
          chip.style.background = css(sequential(a / max));
          chip.style.color = a / max > 0.6 ? '#fff' : '';
          chip.dataset.value = a;
          chip.title += ` · feature ${result.feature}: ${format(a)}`;
        }
        text.append(chip);
      }
      if (result.values) scale.append(legend(`feature ${result.feature}`, x => sequential(x / max), 0, max));
      const at = result.positions[Math.max(0, Math.min(result.positions.length - 1, v.token))];
      const strongest = at.top[0]?.activation ?? 1;
      table.append(element('tr', {}, element('th', {textContent: 'feature'}), element('th', {textContent: 'activation'}),
        element('th', {textContent: ''})));
      for (const f of at.top) {
        const bar = element('div', {className: 'bar'});
        bar.style.width = `${Math.max(2, 160 * f.activation / strongest)}px`;
        bar.style.height = '8px';
        bar.style.background = 'var(--accent)';
        const row = element('tr', {}, element('td', {textContent: f.feature}), element('td', {textContent: format(f.activation)}),
          element('td', {}, bar));
        row.dataset.feature = f.feature;
        if (f.feature === v.feature) row.className = 'selected';
        table.append(row);
      }
      const token = result.tokens[Math.max(0, Math.min(result.tokens.length - 1, v.token))];
      setSubtitle(`${result.sae} on ${result.hook} · ${at.l0} features fire at #${token.index} ${JSON.stringify(visible(token.text))}`);
    }

    text.addEventListener('click', event => {
      const chip = event.target.closest('.tok');
      if (chip) state.set({token: Number(chip.dataset.index)});
    });
    table.addEventListener('click', event => {
      const row = event.target.closest('tr[data-feature]');
      if (row) state.set({feature: Number(row.dataset.feature)});
    });

    loadSaes();
    return {
      update(values, changed) {
        if (changed.has('run') || changed.has('sae') || changed.has('feature')) load();
        else if (changed.has('token')) render();
      },
      snapshot() {
        const max = maximum();
        return tokensCanvas(result?.values ? `${result.sae}: feature ${result.feature} per token` : 'Features on the prompt',
          result?.tokens ?? [], token => result?.values ? sequential(result.values[token.index] / max) : [255, 255, 255]);
      },
      data: () => result,
    };
  },
};

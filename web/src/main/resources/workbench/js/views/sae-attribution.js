// Direct logit attribution to the SAE's features at the selected token: what each firing
// feature's decoder output adds to logit(token) − logit(versus) through ln_final and the
// unembedding, beside b_dec's and the error term's shares, which together make the hook's own
// share. The tokens are the Direct logit attribution view's (by default the model's top two).

import {postJson} from '../api.js';
import {css, diverging, element, fitText, format, sizeCanvas, visible} from '../draw.js';

const TOP = 12;

export default {
  id: 'sae-attribution', title: 'Feature attribution', group: 'sae',

  mount(body, ctx, setSubtitle) {
    const {state} = ctx;
    const token = element('input', {type: 'text', placeholder: 'token (default: top 1)', size: 14});
    const versus = element('input', {type: 'text', placeholder: 'versus (default: top 2)', size: 14});
    token.dataset.testid = 'sae-dla-token';
    versus.dataset.testid = 'sae-dla-versus';
    const apply = element('button', {type: 'button', textContent: 'Attribute'});
    body.append(element('div', {className: 'controls'}, element('label', {}, 'logit of ', token),
      element('label', {}, '− logit of ', versus), apply));
    const sum = element('div', {className: 'readout'});
    sum.dataset.testid = 'sae-dla-sum';
    const table = element('table', {className: 'neurons'});
    table.dataset.testid = 'sae-dla-table';
    const error = element('div', {className: 'error'});
    body.append(sum, table, error);

    let result = null;
    let sequence = 0;

    apply.onclick = () => state.set({dlaToken: token.value, dlaVersus: versus.value});

    async function load() {
      const mine = ++sequence;
      result = null;
      error.textContent = '';
      render();
      const v = state.get();
      if (!ctx.run || !v.sae || v.token < 0) return;
      const top = ctx.run.predictions[v.token].top;
      try {
        const loaded = await postJson('/api/sae/attribution', {prompt: v.prompt, sae: v.sae, position: v.token,
          token: v.dlaToken || top[0].text, versus: v.dlaVersus || top[1].text, top: TOP});
        if (mine !== sequence) return;
        result = loaded;
        render();
      } catch (e) {
        if (mine === sequence) error.textContent = e.message;
      }
    }

    /** The parts shown: the strongest features, the rest together, b_dec and the error. */
    function parts() {
      const list = result.features.map(f => ({label: `feature ${f.feature}`, activation: f.activation, value: f.value, feature: f.feature}));
      const others = result.firing - result.features.length;
      if (others > 0) list.push({label: `${others} other features`, activation: null, value: result.otherFeatures});
      list.push({label: 'b_dec', activation: null, value: result.decoderBias},
        {label: 'error (x − x̂)', activation: null, value: result.error});
      return list;
    }

    /** The parts as a bar chart around zero, for the PNG export. */
    function chart() {
      const canvas = element('canvas');
      const list = result ? parts() : [];
      const rowHeight = 18;
      const width = 520;
      const context = sizeCanvas(canvas, width, 28 + rowHeight * list.length);
      context.fillStyle = '#fff';
      context.fillRect(0, 0, width, 28 + rowHeight * list.length);
      context.font = '11px system-ui, sans-serif';
      context.fillStyle = '#1d2330';
      context.fillText(result ? fitText(context, sum.textContent, width - 8) : 'Feature attribution', 4, 14);
      const max = Math.max(1e-9, ...list.map(p => Math.abs(p.value)));
      const zero = 150 + (width - 160) / 2;
      list.forEach((p, i) => {
        const y = 24 + i * rowHeight;
        context.fillStyle = '#1d2330';
        context.fillText(fitText(context, p.label, 140), 4, y + 12);
        const length = (width - 170) / 2 * p.value / max;
        context.fillStyle = css(diverging(p.value, max));
        context.fillRect(Math.min(zero, zero + length), y + 3, Math.abs(length), rowHeight - 6);
      });
      context.fillStyle = '#6b7280';
      context.fillRect(zero, 22, 1, rowHeight * list.length);
      return canvas;
    }

    function row(label, activation, value, max, feature) {
      const bar = element('div', {className: 'bar'});
      bar.style.width = `${Math.max(2, 120 * Math.abs(value) / max)}px`;
      bar.style.height = '8px';
      bar.style.background = css(diverging(value, max));
      const tr = element('tr', {}, element('td', {textContent: label}),
        element('td', {textContent: activation === null ? '' : format(activation)}),
        element('td', {textContent: format(value)}), element('td', {}, bar));
      tr.dataset.value = value;
      if (feature !== undefined) {
        tr.dataset.feature = feature;
        if (feature === state.get().feature) tr.className = 'selected';
      }
      return tr;
    }

    function render() {
      const v = state.get();
      if (document.activeElement !== token) token.value = v.dlaToken;
      if (document.activeElement !== versus) versus.value = v.dlaVersus;
      table.replaceChildren();
      sum.textContent = '';
      if (!result) {
        setSubtitle(!ctx.run ? '' : v.token < 0 ? 'select a token' : v.sae ? 'loading…' : 'pick a SAE');
        return;
      }
      const list = parts();
      const max = Math.max(1e-9, ...list.map(p => Math.abs(p.value)));
      table.append(element('tr', {}, ...['part', 'activation', 'contribution', ''].map(t => element('th', {textContent: t}))));
      for (const p of list) table.append(row(p.label, p.activation, p.value, max, p.feature));
      const a = JSON.stringify(visible(result.token));
      const b = JSON.stringify(visible(result.versus));
      sum.textContent = `logit(${a}) − logit(${b}) at token ${result.position}: the ${result.hook} share ${format(result.hookShare)} `
        + `(the model's difference ${format(result.modelLogitDifference)}) from ${result.firing} firing features`;
      sum.dataset.share = result.hookShare;
      setSubtitle(`${a} vs ${b} through ${result.sae}`);
    }

    table.addEventListener('click', event => {
      const tr = event.target.closest('tr[data-feature]');
      if (tr) state.set({feature: Number(tr.dataset.feature)});
    });

    return {
      update(values, changed) {
        if (['run', 'token', 'sae', 'dlaToken', 'dlaVersus'].some(key => changed.has(key))) load();
        else if (changed.has('feature')) render();
      },
      snapshot: chart,
      data: () => result,
    };
  },
};

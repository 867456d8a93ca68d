// Direct logit attribution at the selected token: how much each head, each block's attention bias
// and MLP, the embedding and the biases add to logit(token) − logit(versus), on one canvas (a
// layer × head grid, then a bias and an MLP column), with the check that the parts add up to the
// model's own difference. Without tokens chosen it compares the model's two likeliest next tokens.

import {postJson} from '../api.js';
import {css, diverging, element, format, legend, sizeCanvas, trackCells, visible} from '../draw.js';

export default {
  id: 'attribution', title: 'Direct logit attribution', group: 'explore',

  mount(body, ctx, setSubtitle) {
    const {state, model} = ctx;
    // Many heads (Phi-2's 32) need the whole width.
    body.parentElement?.classList.toggle('wide', model.heads > 8);
    const token = element('input', {type: 'text', placeholder: 'token (default: top 1)', size: 14});
    const versus = element('input', {type: 'text', placeholder: 'versus (default: top 2)', size: 14});
    token.dataset.testid = 'dla-token';
    versus.dataset.testid = 'dla-versus';
    const apply = element('button', {type: 'button', textContent: 'Attribute'});
    const scale = element('span');
    body.append(element('div', {className: 'controls'}, element('label', {}, 'logit of ', token),
      element('label', {}, '− logit of ', versus), apply, scale));
    const sum = element('div', {className: 'readout'});
    sum.dataset.testid = 'dla-sum';
    const canvas = element('canvas');
    canvas.dataset.testid = 'dla-canvas';
    const readout = element('div', {className: 'readout'});
    readout.dataset.testid = 'dla-readout';
    const error = element('div', {className: 'error'});
    body.append(sum, canvas, readout, error);

    let result = null;
    let geometry = null;
    let hover = null;
    let sequence = 0;

    apply.onclick = () => state.set({dlaToken: token.value, dlaVersus: versus.value});

    /** The two tokens to compare: the ones chosen, else the model's top two after the selected token. */
    function tokens(v) {
      const top = ctx.run.predictions[v.token].top;
      return [v.dlaToken || top[0].text, v.dlaVersus || top[1].text];
    }

    async function load() {
      const mine = ++sequence;
      result = null;
      error.textContent = '';
      draw();
      const v = state.get();
      if (!ctx.run || v.token < 0) return;
      const [a, b] = tokens(v);
      try {
        const response = await postJson('/api/attribution', {prompt: v.prompt, position: v.token, token: a, versus: b});
        if (mine !== sequence) return;
        result = response;
        draw();
      } catch (e) {
        if (mine === sequence) error.textContent = e.message;
      }
    }

    /** Every cell of the canvas: a head, or a layer's attention bias or MLP, or the embedding or the constant. */
    function cells() {
      const list = [];
      for (let l = 0; l < model.layers; l++) {
        for (let h = 0; h < model.heads; h++) list.push({row: l, column: h, label: `L${l}H${h}`, value: result.heads[l][h], layer: l, head: h});
        list.push({row: l, column: model.heads + 0.5, label: `L${l} attention bias`, value: result.attentionBias[l]});
        list.push({row: l, column: model.heads + 1.5, label: `L${l} MLP`, value: result.mlp[l], layer: l});
      }
      list.push({row: model.layers + 0.5, column: 0, label: 'embedding (direct path)', value: result.embed});
      list.push({row: model.layers + 0.5, column: 1, label: 'ln_final and lm_head biases', value: result.constant});
      return list;
    }

    function draw() {
      const v = state.get();
      if (document.activeElement !== token) token.value = v.dlaToken;
      if (document.activeElement !== versus) versus.value = v.dlaVersus;
      if (!result) {
        sizeCanvas(canvas, 10, 10);
        geometry = null;
        sum.textContent = '';
        setSubtitle(!ctx.run ? '' : v.token < 0 ? 'select a token' : 'loading…');
        return;
      }
      const left = 34;
      const top = 16;
      const cell = Math.max(12, Math.min(40, (body.clientWidth - 32 - left) / (model.heads + 2.5)));
      const all = cells();
      const max = Math.max(1e-9, ...all.map(c => Math.abs(c.value)));
      geometry = {left, top, cell, all};
      Object.assign(canvas.dataset, {left, top, cell});
      const width = left + (model.heads + 2.5) * cell + 4;
      const height = top + (model.layers + 1.5) * cell + 4;
      const context = sizeCanvas(canvas, width, height);
      context.fillStyle = '#fff';
      context.fillRect(0, 0, width, height);
      context.font = '10px system-ui, sans-serif';
      context.fillStyle = '#6b7280';
      const every = Math.ceil(24 / cell);
      for (let h = 0; h < model.heads; h += every) context.fillText('H' + h, left + h * cell + 2, 11);
      context.fillText('bias', left + (model.heads + 0.5) * cell, 11);
      context.fillText('MLP', left + (model.heads + 1.5) * cell + 2, 11);
      for (let l = 0; l < model.layers; l += Math.ceil(12 / cell)) context.fillText('L' + l, 4, top + l * cell + cell / 2 + 4);
      for (const c of all) {
        context.fillStyle = css(diverging(c.value, max));
        context.fillRect(left + c.column * cell + 1, top + c.row * cell + 1, cell - 2, cell - 2);
      }
      context.fillStyle = '#6b7280';
      context.fillText('embed · biases', left + 2 * cell + 4, top + (model.layers + 0.5) * cell + cell / 2 + 4);
      if (hover) {
        context.strokeStyle = '#1d2330';
        context.strokeRect(left + hover.column * cell + 0.5, top + hover.row * cell + 0.5, cell - 1, cell - 1);
      }
      scale.replaceChildren(legend('contribution', x => diverging(x, max), -max, max));
      const a = JSON.stringify(visible(result.token.text));
      const b = JSON.stringify(visible(result.versus.text));
      sum.textContent = `logit(${a}) − logit(${b}) at token ${result.position}: model ${format(result.modelLogitDifference)}, `
        + `sum of the parts ${format(result.total)}`;
      sum.dataset.model = result.modelLogitDifference;
      sum.dataset.total = result.total;
      setSubtitle(`${a} vs ${b} after token ${result.position}`);
    }

    function cellAt(event) {
      if (!geometry) return null;
      const rect = canvas.getBoundingClientRect();
      const x = (event.clientX - rect.left - geometry.left) / geometry.cell;
      const y = (event.clientY - rect.top - geometry.top) / geometry.cell;
      return geometry.all.find(c => x >= c.column && x < c.column + 1 && y >= c.row && y < c.row + 1) || null;
    }

    trackCells(canvas, {cellAt, redraw: draw, show(cell) {
      hover = cell;
      readout.textContent = hover ? `${hover.label}: ${format(hover.value)}` : '';
      readout.dataset.value = hover ? hover.value : '';
    }, select(at) {
      if (at.head !== undefined) state.set({layer: at.layer, head: at.head});
      else if (at.layer !== undefined) state.set({layer: at.layer});
    }});

    return {
      update(values, changed) {
        if (['run', 'token', 'dlaToken', 'dlaVersus'].some(key => changed.has(key))) load();
      },
      snapshot: () => canvas,
      data: () => result,
    };
  },
};

// Token to token: where the selected token looks, in every head of the selected layer. One row
// per head, one column per earlier token; a click on a row opens that head.

import {postJson} from '../api.js';
import {attentionColour, css, legend, sizeCanvas, trackCells, visible} from '../draw.js';

export default {
  id: 'query', title: 'Token to token', group: 'explore',

  mount(body, ctx, setSubtitle) {
    const {state, model} = ctx;
    const canvas = document.createElement('canvas');
    canvas.dataset.testid = 'query-canvas';
    const readout = document.createElement('div');
    readout.className = 'readout';
    const error = document.createElement('div');
    error.className = 'error';
    body.append(canvas, readout, legend('weight (√ scale)', attentionColour, 0, 1), error);

    let result = null;
    let geometry = null;
    let hover = null;
    let sequence = 0;

    async function load() {
      const mine = ++sequence;
      result = null;
      error.textContent = '';
      draw();
      const {prompt, layer, token} = state.get();
      if (!ctx.run || token < 0) return;
      try {
        const response = await postJson('/api/attention/query', {prompt, layer, position: token});
        if (mine !== sequence) return;
        result = response;
        draw();
      } catch (e) {
        if (mine === sequence) error.textContent = e.message;
      }
    }

    function draw() {
      if (!result) {
        sizeCanvas(canvas, 10, 10);
        setSubtitle(!ctx.run ? '' : state.get().token < 0 ? 'select a token' : 'loading…');
        return;
      }
      const keys = result.position + 1;
      const left = 40;
      const available = Math.max(200, body.clientWidth - 32 - left);
      const cell = Math.max(1, Math.min(44, available / keys));
      const labelled = cell >= 14;
      const top = labelled ? 84 : 12;
      const row = 18;
      geometry = {left, top, cell, row, keys};
      const width = left + cell * keys + 4;
      const height = top + row * model.heads + 4;
      const context = sizeCanvas(canvas, width, height);
      context.fillStyle = '#fff';
      context.fillRect(0, 0, width, height);
      context.font = '11px ui-monospace, Menlo, Consolas, monospace';
      for (let h = 0; h < model.heads; h++) {
        context.fillStyle = h === state.get().head ? '#b45309' : '#374151';
        context.fillText('H' + h, 4, top + h * row + 13);
        for (let k = 0; k < keys; k++) {
          context.fillStyle = css(attentionColour(result.heads[h][k]));
          context.fillRect(left + k * cell, top + h * row + 1, Math.max(1, cell - (cell > 3 ? 1 : 0)), row - 2);
        }
      }
      if (labelled) {
        context.fillStyle = '#374151';
        for (let k = 0; k < keys; k++) {
          context.save();
          context.translate(left + k * cell + cell / 2 + 4, top - 4);
          context.rotate(-Math.PI / 2);
          context.fillText(visible(ctx.run.tokens[k].text).slice(0, 11), 0, 0);
          context.restore();
        }
      }
      const head = state.get().head;
      context.strokeStyle = '#f59e0b';
      context.lineWidth = 1.5;
      context.strokeRect(left - 1, top + head * row, cell * keys + 2, row);
      if (hover) {
        context.strokeStyle = '#1d2330';
        context.lineWidth = 1;
        context.strokeRect(left + hover.k * cell, top + hover.h * row, cell, row);
      }
      const token = ctx.run.tokens[result.position];
      setSubtitle(`L${result.layer} · query ${result.position} ${JSON.stringify(visible(token.text))} · ${model.heads} heads`);
    }

    function cellAt(event) {
      if (!geometry) return null;
      const rect = canvas.getBoundingClientRect();
      const k = Math.floor((event.clientX - rect.left - geometry.left) / geometry.cell);
      const h = Math.floor((event.clientY - rect.top - geometry.top) / geometry.row);
      return h >= 0 && h < model.heads && k >= 0 && k < geometry.keys ? {h, k} : null;
    }

    trackCells(canvas, {cellAt, redraw: draw, select: at => state.set({head: at.h}), show(cell) {
      hover = cell;
      readout.textContent = hover
        ? `H${hover.h}: key ${hover.k} ${JSON.stringify(visible(ctx.run.tokens[hover.k].text))}: ${result.heads[hover.h][hover.k].toFixed(6)}`
        : '';
    }});

    return {
      update(values, changed) {
        if (changed.has('run') || changed.has('layer') || changed.has('token')) load();
        else if (changed.has('head')) draw();
      },
      snapshot: () => canvas,
      data: () => result && {...result, tokens: ctx.run.tokens.slice(0, result.position + 1)},
    };
  },
};

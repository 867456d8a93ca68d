// One head's attention pattern as a heatmap, query tokens down, key tokens across. Hovering a
// cell highlights its query row and key column and shows the weight; a click selects the query
// token. Long prompts come max-pooled from the server, so a cell may cover several tokens.

import {postJson} from '../api.js';
import {attentionColour, legend, sizeCanvas, trackCells, visible} from '../draw.js';

export default {
  id: 'pattern', title: 'Head pattern', group: 'explore',

  mount(body, ctx, setSubtitle) {
    const {state} = ctx;
    const canvas = document.createElement('canvas');
    canvas.dataset.testid = 'pattern-canvas';
    const readout = document.createElement('div');
    readout.className = 'readout';
    readout.dataset.testid = 'pattern-readout';
    const error = document.createElement('div');
    error.className = 'error';
    body.append(canvas, readout, legend('weight (√ scale)', attentionColour, 0, 1), error);

    let pattern = null;
    let heat = null;
    let geometry = null;
    let hover = null;
    let sequence = 0;

    async function load() {
      const mine = ++sequence;
      pattern = null;
      error.textContent = '';
      draw();
      if (!ctx.run) return;
      const {prompt, layer, head} = state.get();
      try {
        const result = await postJson('/api/attention/pattern', {prompt, layer, head, size: 512});
        if (mine !== sequence) return;
        pattern = result;
        heat = heatImage(result.values);
        draw();
      } catch (e) {
        if (mine === sequence) error.textContent = e.message;
      }
    }

    /** The lower triangle at one pixel per cell; drawn scaled up without smoothing. */
    function heatImage(values) {
      const n = values.length;
      const image = document.createElement('canvas');
      image.width = n;
      image.height = n;
      const context = image.getContext('2d');
      const pixels = context.createImageData(n, n);
      for (let q = 0; q < n; q++) {
        for (let k = 0; k < n; k++) {
          pixels.data.set([...(k <= q ? attentionColour(values[q][k]) : [244, 245, 247]), 255], (q * n + k) * 4);
        }
      }
      context.putImageData(pixels, 0, 0);
      return image;
    }

    /** The label of bin i: its token, or the range of positions it covers. */
    function binLabel(i) {
      const starts = pattern.binStarts;
      const first = starts[i];
      const last = (i + 1 < starts.length ? starts[i + 1] : pattern.tokens) - 1;
      if (first === last) return `${first} ${JSON.stringify(visible(ctx.run.tokens[first].text))}`;
      return `${first}–${last}`;
    }

    function draw() {
      if (!pattern || !ctx.run) {
        sizeCanvas(canvas, 10, 10);
        setSubtitle(ctx.run ? 'loading…' : '');
        readout.textContent = '';
        return;
      }
      const n = pattern.values.length;
      const labelled = n <= 48;
      const margin = labelled ? 96 : 28;
      const available = Math.max(240, body.clientWidth - 32 - margin);
      const cell = Math.max(1, Math.min(28, available / n));
      const side = cell * n;
      geometry = {margin, cell, n};
      // Where the cells are, for anything that points at them (the browser tests do).
      canvas.dataset.margin = margin;
      canvas.dataset.cell = cell;
      canvas.dataset.cells = n;
      const context = sizeCanvas(canvas, margin + side + 4, margin + side + 4);
      context.fillStyle = '#fff';
      context.fillRect(0, 0, margin + side + 4, margin + side + 4);
      context.imageSmoothingEnabled = false;
      context.drawImage(heat, margin, margin, side, side);
      context.font = '11px ui-monospace, Menlo, Consolas, monospace';
      context.fillStyle = '#374151';
      if (labelled) {
        for (let i = 0; i < n; i++) {
          const label = visible(ctx.run.tokens[pattern.binStarts[i]].text).slice(0, 11);
          context.textAlign = 'right';
          context.fillText(label, margin - 4, margin + i * cell + cell / 2 + 4);
          context.save();
          context.translate(margin + i * cell + cell / 2 + 4, margin - 4);
          context.rotate(-Math.PI / 2);
          context.textAlign = 'left';
          context.fillText(label, 0, 0);
          context.restore();
        }
      } else {
        context.fillText('keys →', margin, 12);
        context.save();
        context.translate(12, margin + 40);
        context.rotate(-Math.PI / 2);
        context.fillText('← queries', 0, 0);
        context.restore();
      }
      context.textAlign = 'left';
      const selectedBin = binOf(state.get().token);
      if (selectedBin >= 0) {
        context.strokeStyle = '#f59e0b';
        context.lineWidth = 1.5;
        context.strokeRect(margin, margin + selectedBin * cell, side, cell);
      }
      if (hover) {
        context.fillStyle = 'rgba(245, 158, 11, 0.25)';
        context.fillRect(margin, margin + hover.q * cell, side, cell);
        context.fillRect(margin + hover.k * cell, margin, cell, side);
        context.strokeStyle = '#1d2330';
        context.lineWidth = 1;
        context.strokeRect(margin + hover.k * cell, margin + hover.q * cell, cell, cell);
      }
      const {layer, head} = state.get();
      setSubtitle(`L${layer} H${head} · ${pattern.tokens} tokens` + (pattern.downsampled ? ` · max-pooled to ${n} × ${n}` : ''));
    }

    function binOf(position) {
      if (!pattern || position < 0) return -1;
      let bin = -1;
      pattern.binStarts.forEach((start, i) => { if (start <= position) bin = i; });
      return bin;
    }

    function cellAt(event) {
      if (!geometry) return null;
      const rect = canvas.getBoundingClientRect();
      const k = Math.floor((event.clientX - rect.left - geometry.margin) / geometry.cell);
      const q = Math.floor((event.clientY - rect.top - geometry.margin) / geometry.cell);
      return q >= 0 && q < geometry.n && k >= 0 && k <= q ? {q, k} : null;
    }

    trackCells(canvas, {cellAt, redraw: draw, select: at => state.set({token: pattern.binStarts[at.q]}), show(cell) {
      hover = cell;
      if (hover) {
        const value = pattern.values[hover.q][hover.k];
        readout.dataset.query = pattern.binStarts[hover.q];
        readout.dataset.key = pattern.binStarts[hover.k];
        readout.dataset.value = String(value);
        readout.textContent = `query ${binLabel(hover.q)} → key ${binLabel(hover.k)}: ${value.toFixed(6)}`
          + (pattern.downsampled ? ' (max of the cell)' : '');
      } else {
        readout.textContent = '';
      }
    }});

    return {
      update(values, changed) {
        if (changed.has('run') || changed.has('layer') || changed.has('head')) load();
        else if (changed.has('token')) draw();
      },
      snapshot: () => canvas,
      data: () => pattern && {...pattern, tokens: ctx.run.tokens},
    };
  },
};

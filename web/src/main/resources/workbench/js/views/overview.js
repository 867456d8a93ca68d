// Every head of every layer at once, on one canvas: each head's pattern as a thumbnail
// (max-pooled on the server to at most 32 x 32) or one summary score per head. Thumbnails
// arrive layer by layer, so a 32 x 32-head model fills in progressively. A click opens a head.

import {postJson} from '../api.js';
import {attentionColour, css, legend, sequential, sizeCanvas, trackCells} from '../draw.js';

const METRICS = {
  entropy: 'entropy (nats)', previousToken: 'previous token', firstToken: 'first token',
  currentToken: 'current token', maxWeight: 'max weight',
};

export default {
  id: 'overview', title: 'Attention heads', group: 'explore',

  mount(body, ctx, setSubtitle) {
    const {state, model} = ctx;
    const controls = document.createElement('div');
    controls.className = 'controls';
    const mode = document.createElement('select');
    mode.dataset.testid = 'overview-mode';
    mode.append(new Option('patterns', 'patterns'), ...Object.entries(METRICS).map(([key, label]) => new Option(label, key)));
    const showLabel = document.createElement('label');
    showLabel.append('show ', mode);
    const scale = document.createElement('span');
    controls.append(showLabel, scale);
    // Many heads (Phi-2's 32 x 32) need the whole width to stay legible.
    body.parentElement?.classList.toggle('wide', model.heads > 8);
    const canvas = document.createElement('canvas');
    canvas.dataset.testid = 'overview-canvas';
    const readout = document.createElement('div');
    readout.className = 'readout';
    const error = document.createElement('div');
    error.className = 'error';
    body.append(controls, canvas, readout, error);

    let summary = null;
    let layerImages = [];
    let loaded = 0;
    let sequence = 0;
    let hover = null;
    let geometry = null;

    mode.value = state.get().overview;
    mode.onchange = () => state.set({overview: mode.value});

    async function load() {
      const mine = ++sequence;
      summary = null;
      layerImages = [];
      loaded = 0;
      error.textContent = '';
      draw();
      if (!ctx.run) return;
      const prompt = state.get().prompt;
      try {
        summary = await postJson('/api/attention/summary', {prompt});
        if (mine !== sequence) return;
        draw();
        for (let layer = 0; layer < model.layers; layer++) {
          const thumbnails = await postJson('/api/attention/thumbnails', {prompt, layer});
          if (mine !== sequence) return;
          layerImages[layer] = layerImage(thumbnails);
          loaded = layer + 1;
          draw();
        }
      } catch (e) {
        if (mine === sequence) error.textContent = e.message;
      }
    }

    /** One layer's thumbnails side by side on an offscreen canvas, a cell per pooled bin. */
    function layerImage(thumbnails) {
      const size = thumbnails.binStarts.length;
      const image = document.createElement('canvas');
      image.width = size * model.heads;
      image.height = size;
      const context = image.getContext('2d');
      const pixels = context.createImageData(image.width, size);
      thumbnails.heads.forEach((rows, head) => {
        for (let q = 0; q < size; q++) {
          for (let k = 0; k < size; k++) {
            const rgb = k <= q ? attentionColour(rows[q][k]) : [244, 245, 247];
            const at = (q * image.width + head * size + k) * 4;
            pixels.data.set([...rgb, 255], at);
          }
        }
      });
      context.putImageData(pixels, 0, 0);
      return {image, size};
    }

    function draw() {
      const width = Math.max(320, body.clientWidth - 32);
      const left = 34;
      const top = 18;
      const cell = Math.max(10, Math.min(96, Math.floor((width - left) / model.heads)));
      geometry = {left, top, cell};
      const context = sizeCanvas(canvas, left + cell * model.heads, top + cell * model.layers);
      context.fillStyle = '#fff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.font = '10px system-ui, sans-serif';
      context.fillStyle = '#6b7280';
      const headEvery = Math.ceil(24 / cell);
      const layerEvery = Math.ceil(12 / cell);
      for (let h = 0; h < model.heads; h += headEvery) context.fillText('H' + h, left + h * cell + 2, 12);
      for (let l = 0; l < model.layers; l += layerEvery) context.fillText('L' + l, 4, top + l * cell + Math.min(cell, 24) / 2 + 4);
      const metric = state.get().overview;
      const scores = summary && metric !== 'patterns' ? summary.scores[metric] : null;
      const max = scores ? Math.max(1e-9, ...scores.flat()) : 1;
      const normalise = metric === 'entropy' ? v => v / max : v => v;
      context.imageSmoothingEnabled = false;
      for (let l = 0; l < model.layers; l++) {
        for (let h = 0; h < model.heads; h++) {
          const x = left + h * cell;
          const y = top + l * cell;
          if (metric === 'patterns' && layerImages[l]) {
            const {image, size} = layerImages[l];
            context.drawImage(image, h * size, 0, size, size, x + 1, y + 1, cell - 2, cell - 2);
          } else if (scores) {
            context.fillStyle = css(sequential(normalise(scores[l][h])));
            context.fillRect(x + 1, y + 1, cell - 2, cell - 2);
            if (cell >= 36) {
              context.fillStyle = normalise(scores[l][h]) > 0.55 ? '#fff' : '#1d2330';
              context.fillText(scores[l][h].toFixed(2), x + 4, y + cell / 2 + 3);
            }
          } else {
            context.fillStyle = '#eef0f4';
            context.fillRect(x + 1, y + 1, cell - 2, cell - 2);
          }
        }
      }
      const {layer, head} = state.get();
      outline(context, layer, head, '#f59e0b', 2);
      if (hover) outline(context, hover.layer, hover.head, '#2457c5', 1);
      scale.replaceChildren(metric === 'patterns' ? legend('weight (√ scale)', attentionColour, 0, 1)
        : legend(METRICS[metric], v => sequential(normalise(v)), 0, metric === 'entropy' ? max : 1));
      setSubtitle(!ctx.run ? '' : summary ? `${model.layers} × ${model.heads} heads · ${summary.tokens} tokens`
        + (metric === 'patterns' && loaded < model.layers ? ` · loading ${loaded}/${model.layers} layers` : '') : 'computing…');
    }

    function outline(context, layer, head, colour, line) {
      const {left, top, cell} = geometry;
      context.strokeStyle = colour;
      context.lineWidth = line;
      context.strokeRect(left + head * cell + line / 2, top + layer * cell + line / 2, cell - line, cell - line);
    }

    function headAt(event) {
      if (!geometry) return null;
      const rect = canvas.getBoundingClientRect();
      const h = Math.floor((event.clientX - rect.left - geometry.left) / geometry.cell);
      const l = Math.floor((event.clientY - rect.top - geometry.top) / geometry.cell);
      return h >= 0 && h < model.heads && l >= 0 && l < model.layers ? {layer: l, head: h} : null;
    }

    trackCells(canvas, {cellAt: headAt, redraw: draw, select: at => state.set(at), show(cell) {
      hover = cell;
      readout.textContent = hover ? `L${hover.layer} H${hover.head}` + (summary
        ? ' · ' + Object.entries(METRICS).map(([key, label]) => `${label} ${summary.scores[key][hover.layer][hover.head].toFixed(3)}`).join(' · ')
        : '') : '';
    }});
    draw();

    return {
      update(values, changed) {
        if (changed.has('run')) load();
        else if (changed.has('overview') || changed.has('layer') || changed.has('head')) {
          mode.value = values.overview;
          draw();
        }
      },
      snapshot: () => canvas,
      data: () => ({summary, thumbnailsLoaded: loaded}),
    };
  },
};

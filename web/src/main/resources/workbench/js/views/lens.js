// The logit lens: what the residual stream predicts after the embedding and after every block,
// as a stage × position heatmap with the top token written in each cell. Hover shows a cell's
// top tokens and, with a target token, its rank and probability; a click selects the position.
// Long prompts are read through a window of positions that follows the selected token.

import {postJson} from '../api.js';
import {css, element, fitText, inkOn, legend, sequential, sizeCanvas, trackCells, visible} from '../draw.js';

const WINDOW = 64;
const COLOURINGS = {top: 'top-1 probability', target: 'target probability', rank: 'target rank'};

export default {
  id: 'lens', title: 'Logit lens', group: 'explore', wide: true,

  mount(body, ctx, setSubtitle) {
    const {state, model} = ctx;
    const target = element('input', {type: 'text', placeholder: "target token, e.g. ' return'", size: 18});
    target.dataset.testid = 'lens-target';
    const track = element('button', {type: 'button', textContent: 'Track'});
    const colouring = element('select', {}, ...Object.entries(COLOURINGS).map(([key, label]) => new Option(label, key)));
    colouring.dataset.testid = 'lens-colouring';
    const scale = element('span');
    body.append(element('div', {className: 'controls'}, element('label', {}, 'target ', target), track,
      element('label', {}, 'colour by ', colouring), scale));
    const canvas = element('canvas');
    canvas.dataset.testid = 'lens-canvas';
    const readout = element('div', {className: 'readout lens-readout'});
    readout.dataset.testid = 'lens-readout';
    const error = element('div', {className: 'error'});
    body.append(canvas, readout, error);

    let lens = null;
    let geometry = null;
    let hover = null;
    let sequence = 0;

    track.onclick = () => state.set({target: target.value});
    target.addEventListener('keydown', event => { if (event.key === 'Enter') track.click(); });
    colouring.onchange = () => state.set({lensColour: colouring.value});

    /** The window that shows the selected token: the whole prompt when it fits, else centred on the token. */
    function windowFor(token, tokens) {
      if (tokens <= WINDOW) return {first: 0, last: tokens - 1};
      const at = token < 0 ? tokens - 1 : token;
      const first = Math.max(0, Math.min(tokens - WINDOW, at - WINDOW / 2));
      return {first, last: first + WINDOW - 1};
    }

    async function load() {
      const mine = ++sequence;
      lens = null;
      error.textContent = '';
      draw();
      if (!ctx.run) return;
      const v = state.get();
      const {first, last} = windowFor(v.token, ctx.run.tokens.length);
      try {
        const result = await postJson('/api/lens', {prompt: v.prompt, first, last, topK: 5, ...(v.target ? {target: v.target} : {})});
        if (mine !== sequence) return;
        lens = result;
        draw();
      } catch (e) {
        if (mine === sequence) error.textContent = e.message;
      }
    }

    function value(cell, mode) {
      if (mode === 'top' || !lens.target) return cell.top[0].probability;
      if (mode === 'target') return cell.targetProbability;
      return 1 - Math.log(cell.targetRank) / Math.log(model.vocab);
    }

    function draw() {
      const v = state.get();
      colouring.value = v.lensColour;
      if (document.activeElement !== target) target.value = v.target;
      if (!lens || !ctx.run) {
        sizeCanvas(canvas, 10, 10);
        geometry = null;
        setSubtitle(ctx.run ? 'loading…' : '');
        return;
      }
      const columns = lens.last - lens.first + 1;
      const rows = lens.stages.length;
      const left = 70;
      const top = 74;
      const cellWidth = Math.max(46, Math.min(90, (body.clientWidth - 32 - left) / columns));
      const cellHeight = 20;
      geometry = {left, top, cellWidth, cellHeight, columns, rows};
      // Where the cells are, for anything that points at them (the browser tests do).
      Object.assign(canvas.dataset, {left, top, cellWidth, cellHeight, first: lens.first});
      const width = left + columns * cellWidth + 4;
      const height = top + rows * cellHeight + 4;
      const context = sizeCanvas(canvas, width, height);
      context.fillStyle = '#fff';
      context.fillRect(0, 0, width, height);
      context.font = '11px ui-monospace, Menlo, Consolas, monospace';
      const mode = lens.target ? v.lensColour : 'top';
      for (let s = 0; s < rows; s++) {
        context.fillStyle = '#374151';
        context.textAlign = 'right';
        context.fillText(lens.stages[s], left - 6, top + s * cellHeight + 14);
        context.textAlign = 'left';
        for (let i = 0; i < columns; i++) {
          const cell = lens.cells[s][i];
          const rgb = sequential(value(cell, mode));
          const x = left + i * cellWidth;
          const y = top + s * cellHeight;
          context.fillStyle = css(rgb);
          context.fillRect(x, y, cellWidth - 1, cellHeight - 1);
          context.fillStyle = inkOn(rgb);
          context.fillText(fitText(context, visible(cell.top[0].text), cellWidth - 6), x + 3, y + 14);
        }
      }
      context.fillStyle = '#374151';
      for (let i = 0; i < columns; i++) {
        const position = lens.first + i;
        context.save();
        context.translate(left + i * cellWidth + cellWidth / 2 + 4, top - 6);
        context.rotate(-Math.PI / 3);
        context.fillText(fitText(context, `${position} ${visible(ctx.run.tokens[position].text)}`, 80), 0, 0);
        context.restore();
      }
      const selected = v.token - lens.first;
      if (selected >= 0 && selected < columns) {
        context.strokeStyle = '#f59e0b';
        context.lineWidth = 2;
        context.strokeRect(left + selected * cellWidth, top, cellWidth - 1, rows * cellHeight);
        context.lineWidth = 1;
      }
      if (hover) {
        context.strokeStyle = '#1d2330';
        context.strokeRect(left + hover.i * cellWidth, top + hover.s * cellHeight, cellWidth - 1, cellHeight - 1);
      }
      scale.replaceChildren(legend(COLOURINGS[mode], sequential, 0, 1));
      setSubtitle(`positions ${lens.first}–${lens.last} of ${lens.tokens} · ${rows} stages`
        + (lens.target ? ` · tracking ${JSON.stringify(visible(lens.target.text))}` : ''));
    }

    function cellAt(event) {
      if (!geometry) return null;
      const rect = canvas.getBoundingClientRect();
      const i = Math.floor((event.clientX - rect.left - geometry.left) / geometry.cellWidth);
      const s = Math.floor((event.clientY - rect.top - geometry.top) / geometry.cellHeight);
      return i >= 0 && i < geometry.columns && s >= 0 && s < geometry.rows ? {s, i} : null;
    }

    function describe({s, i}) {
      const cell = lens.cells[s][i];
      const position = lens.first + i;
      const top = cell.top.map(p => `${JSON.stringify(visible(p.text))} ${(100 * p.probability).toFixed(2)}%`).join('  ');
      const tracked = lens.target
        ? `  ·  ${JSON.stringify(visible(lens.target.text))} rank ${cell.targetRank}, ${(100 * cell.targetProbability).toFixed(3)}%` : '';
      return `${lens.stages[s]} @ ${position} ${JSON.stringify(visible(ctx.run.tokens[position].text))}: ${top}${tracked}`;
    }

    trackCells(canvas, {cellAt, redraw: draw, select: at => state.set({token: lens.first + at.i}), show(at) {
      hover = at;
      if (hover) {
        const cell = lens.cells[hover.s][hover.i];
        Object.assign(readout.dataset, {stage: lens.stages[hover.s], position: lens.first + hover.i,
          top: cell.top[0].id, probability: cell.top[0].probability});
        readout.textContent = describe(hover);
      } else {
        readout.textContent = '';
      }
    }});

    return {
      update(values, changed) {
        const outside = lens && ctx.run && (values.token < lens.first || values.token > lens.last);
        if (changed.has('run') || changed.has('target') || (changed.has('token') && outside)) load();
        else if (changed.has('token') || changed.has('lensColour')) draw();
      },
      snapshot: () => canvas,
      data: () => lens && {...lens, tokens: ctx.run.tokens.slice(lens.first, lens.last + 1)},
    };
  },
};

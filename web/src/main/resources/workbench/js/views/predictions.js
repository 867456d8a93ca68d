// The model's top next tokens after the selected token, with probabilities, and the probability
// it gave the token that really came next. From the prompt's run: no extra request.

import {css, sizeCanvas, visible} from '../draw.js';

export default {
  id: 'predictions', title: 'Next token', group: 'explore',

  mount(body, ctx, setSubtitle) {
    const table = document.createElement('table');
    table.className = 'predictions';
    table.dataset.testid = 'predictions';
    const note = document.createElement('div');
    note.className = 'muted';
    body.append(table, note);

    function current() {
      const token = ctx.state.get().token;
      return ctx.run && token >= 0 ? ctx.run.predictions[token] : null;
    }

    function render() {
      const at = current();
      table.replaceChildren();
      note.textContent = '';
      if (!at) {
        setSubtitle('');
        return;
      }
      const best = at.top[0].probability;
      for (const p of at.top) {
        const row = table.insertRow();
        const word = row.insertCell();
        word.className = 'tokcell';
        word.textContent = JSON.stringify(visible(p.text));
        word.title = `id ${p.id}`;
        const bar = row.insertCell();
        bar.style.width = '55%';
        const fill = document.createElement('div');
        fill.className = 'bar';
        fill.style.width = `${Math.max(1, 100 * p.probability / best)}%`;
        bar.append(fill);
        row.insertCell().textContent = (100 * p.probability).toFixed(2) + '%';
      }
      const next = ctx.run.tokens[at.position + 1];
      if (next) {
        note.textContent = `actual next token ${JSON.stringify(visible(next.text))}: ${(100 * at.nextTokenProbability).toFixed(2)}%`;
      }
      setSubtitle(`after token ${at.position} ${JSON.stringify(visible(ctx.run.tokens[at.position].text))}`);
    }

    return {
      update(values, changed) {
        if (changed.has('run') || changed.has('token')) render();
      },
      snapshot() {
        const at = current();
        const rows = at ? at.top : [];
        const canvas = document.createElement('canvas');
        const context = sizeCanvas(canvas, 520, 36 + rows.length * 22);
        context.fillStyle = '#fff';
        context.fillRect(0, 0, 520, 36 + rows.length * 22);
        context.fillStyle = '#1d2330';
        context.font = 'bold 13px system-ui, sans-serif';
        context.fillText(at ? `Next token after position ${at.position}` : 'Next token', 10, 20);
        context.font = '12px ui-monospace, Menlo, Consolas, monospace';
        rows.forEach((p, i) => {
          const y = 32 + i * 22;
          context.fillStyle = '#1d2330';
          context.fillText(JSON.stringify(visible(p.text)).slice(0, 18), 10, y + 13);
          context.fillStyle = css([36, 87, 197]);
          context.fillRect(170, y + 3, 260 * p.probability / rows[0].probability, 12);
          context.fillStyle = '#1d2330';
          context.fillText((100 * p.probability).toFixed(2) + '%', 440, y + 13);
        });
        return canvas;
      },
      data: () => current(),
    };
  },
};

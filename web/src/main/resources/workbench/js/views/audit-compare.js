// Baseline vs edited: pick the baseline model's finished runs and the edited models' runs, and see
// what the edit did to every safety and capability metric (phiscope report): the chart of the
// headline metrics, a bar per model, grey where an edited model's difference from the baseline is
// not significant, and the table of every metric with edited − baseline and its 95% interval.

import {getJson, postJson} from '../api.js';
import {barAt, describeBar, drawBarChart} from '../charts.js';
import {element, format} from '../draw.js';

const names = text => text ? text.split(',') : [];

export default {
  id: 'audit-compare', title: 'Baseline vs edited', group: 'audits', wide: true,

  mount(body, ctx, setSubtitle) {
    const {state} = ctx;
    const baseline = element('select', {multiple: true, size: 6});
    baseline.dataset.testid = 'compare-baseline';
    const edited = element('select', {multiple: true, size: 6});
    edited.dataset.testid = 'compare-edited';
    const compare = element('button', {type: 'button', textContent: 'Compare', className: 'primary'});
    compare.dataset.testid = 'compare-run';
    const hint = element('div', {className: 'muted',
      textContent: 'One finished run per benchmark for the baseline; for each edited model, a run of every benchmark the baseline has.'});
    const error = element('div', {className: 'error'});
    error.dataset.testid = 'compare-error';
    const canvas = element('canvas');
    canvas.dataset.testid = 'compare-chart';
    const readout = element('div', {className: 'readout'});
    readout.dataset.testid = 'compare-readout';
    const notes = element('ul', {className: 'muted'});
    const table = element('table', {className: 'neurons report-table'});
    table.dataset.testid = 'compare-table';
    body.append(element('div', {className: 'controls compare-pick'}, element('label', {}, 'baseline ', baseline),
      element('label', {}, 'edited ', edited), compare), hint, error, canvas, readout, notes, table);

    let result = null;
    let sequence = 0;

    function selected(select) {
      return [...select.selectedOptions].map(o => o.value);
    }

    async function loadRuns() {
      try {
        const finished = (await getJson('/api/audits')).runs.filter(r => r.state === 'finished');
        const {compareBaseline, compareEdited} = state.get();
        for (const [select, chosen] of [[baseline, names(compareBaseline)], [edited, names(compareEdited)]]) {
          select.replaceChildren(...finished.map(r => {
            const option = new Option(`${r.run} · ${r.benchmark} · ${r.model}`, r.run, false, chosen.includes(r.run));
            option.title = r.model;
            return option;
          }));
        }
      } catch (e) {
        error.textContent = e.message;
      }
    }

    async function load() {
      const mine = ++sequence;
      const {compareBaseline, compareEdited} = state.get();
      if (!compareBaseline || !compareEdited) {
        result = null;
        render();
        return;
      }
      try {
        const answer = await postJson('/api/audits/compare', {baseline: names(compareBaseline), edited: names(compareEdited)});
        if (mine !== sequence) return;
        result = answer;
        error.textContent = '';
      } catch (e) {
        if (mine !== sequence) return;
        result = null;
        error.textContent = e.message;
      }
      render();
    }

    compare.onclick = () => {
      const patch = {compareBaseline: selected(baseline).join(','), compareEdited: selected(edited).join(',')};
      const {compareBaseline, compareEdited} = state.get();
      if (patch.compareBaseline === compareBaseline && patch.compareEdited === compareEdited) load();
      else state.set(patch);
    };

    function drawChart() {
      canvas.hidden = !result;
      if (!result) return;
      drawBarChart(canvas, result.report.charts[0], Math.max(420, Math.min(1100, body.clientWidth - 32)));
      canvas.dataset.drawn = String(canvas.bars.length);
    }

    canvas.addEventListener('mousemove', event => {
      const hit = barAt(canvas, event);
      readout.textContent = hit ? describeBar(hit.bar) : '';
      readout.dataset.value = hit ? hit.bar.value : '';
    });

    function render() {
      drawChart();
      table.replaceChildren();
      notes.replaceChildren();
      if (!result) {
        setSubtitle('');
        return;
      }
      const {columns, rows} = result.report.table;
      table.append(element('tr', {}, ...columns.map(c => element('th', {textContent: c}))));
      const significant = columns.indexOf('significant');
      for (const row of rows) {
        const tr = element('tr', {}, ...row.map(cell => element('td', {
          textContent: typeof cell === 'number' ? (Number.isInteger(cell) ? String(cell) : format(cell)) : cell === null ? '–' : String(cell),
        })));
        if (row[significant] === true) tr.className = 'significant';
        table.append(tr);
      }
      notes.append(...(result.comparison.notes ?? []).map(note => element('li', {textContent: note})));
      const {baseline: base, edited: models} = result.comparison;
      setSubtitle(`${base.label} against ${models.map(m => m.label).join(', ')}`);
    }

    window.addEventListener('resize', () => { if (result) drawChart(); });
    loadRuns();
    load();
    return {
      update(values, changed) {
        if (changed.has('group') && values.group === 'audits') {
          loadRuns();
          load();
        } else if (changed.has('compareBaseline') || changed.has('compareEdited')) {
          load();
        }
      },
      snapshot: () => canvas,
      data: () => result,
    };
  },
};

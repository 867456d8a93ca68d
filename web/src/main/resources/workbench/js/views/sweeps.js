// Probe sweep results (phiscope probe sweep --out FILE.json in the probes folder): held-out
// accuracy and AUROC of the probe at every hook, by layer, as bars against the 0.5 of chance,
// with the table of every figure the sweep recorded.

import {getJson} from '../api.js';
import {barAt, describeBar, drawBarChart} from '../charts.js';
import {element, format} from '../draw.js';

/** A sweep's results as the chart module draws them: a category per hook, accuracy and AUROC bars. */
function sweepChart(name, sweep) {
  const bars = [];
  for (const r of sweep.results) {
    const category = r.layer >= 0 ? `L${r.layer} ${r.hook.replace(/^blocks\.\d+\./, '')}` : r.hook;
    bars.push({category, series: 'accuracy', value: r.accuracy, muted: false});
    bars.push({category, series: 'AUROC', value: r.auroc, muted: false});
  }
  return {title: `${name}: held-out accuracy and AUROC per hook (${sweep.kind}, ${sweep.pooling} pooling)`,
    valueAxis: 'held out', bars, scale: {low: 0, high: 1}, reference: 0.5, referenceLabel: '0.5: chance (two balanced classes)',
    mutedMeaning: ''};
}

export default {
  id: 'sweeps', title: 'Probe sweeps', group: 'probes', wide: true,

  mount(body, ctx, setSubtitle) {
    const {state} = ctx;
    const choice = element('select');
    choice.dataset.testid = 'sweep-select';
    const canvas = element('canvas');
    canvas.dataset.testid = 'sweep-chart';
    const readout = element('div', {className: 'readout'});
    readout.dataset.testid = 'sweep-readout';
    const table = element('table', {className: 'neurons report-table'});
    const error = element('div', {className: 'error'});
    body.append(element('div', {className: 'controls'}, element('label', {}, 'sweep ', choice)), error, canvas, readout, table);

    let sweeps = [];

    choice.onchange = () => state.set({sweep: choice.value});

    async function load() {
      try {
        sweeps = (await getJson('/api/probes')).sweeps;
      } catch (e) {
        error.textContent = e.message;
      }
      choice.replaceChildren(new Option(sweeps.length ? 'choose a sweep' : 'no sweep results in the probes folder', ''),
        ...sweeps.map(s => new Option(s.name, s.name)));
      render();
    }

    function current() {
      return sweeps.find(s => s.name === state.get().sweep) ?? null;
    }

    function render() {
      const sweep = current();
      choice.value = sweep ? sweep.name : '';
      table.replaceChildren();
      if (!sweep) {
        canvas.hidden = true;
        setSubtitle('');
        return;
      }
      canvas.hidden = false;
      drawBarChart(canvas, sweepChart(sweep.name, sweep.sweep), Math.max(420, Math.min(1100, body.clientWidth - 32)));
      const columns = Object.keys(sweep.sweep.results[0]);
      table.append(element('tr', {}, ...columns.map(c => element('th', {textContent: c}))));
      for (const r of sweep.sweep.results) {
        table.append(element('tr', {}, ...columns.map(c => element('td', {textContent: typeof r[c] === 'number' && !Number.isInteger(r[c]) ? format(r[c]) : String(r[c])}))));
      }
      const data = sweep.sweep.data ?? sweep.sweep.info?.data;
      setSubtitle(`${sweep.sweep.results.length} hooks` + (data ? ` · ${data}` : ''));
    }

    canvas.addEventListener('mousemove', event => {
      const hit = barAt(canvas, event);
      readout.textContent = hit ? describeBar(hit.bar) : '';
      readout.dataset.value = hit ? hit.bar.value : '';
    });
    window.addEventListener('resize', () => render());

    load();
    return {
      update(values, changed) {
        if (changed.has('group') && values.group === 'probes') load();
        else if (changed.has('sweep')) render();
      },
      snapshot: () => canvas,
      data: () => current(),
    };
  },
};

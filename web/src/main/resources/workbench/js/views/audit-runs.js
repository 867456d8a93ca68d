// The audit runs of the server's runs folder (those started here and those the command line
// made) with their progress, and the form that starts a run on a dataset of the data folder, or
// resumes an unfinished one. A click on a run opens its results.

import {getJson, postJson} from '../api.js';
import {element, tokensCanvas} from '../draw.js';

const POLL_MILLIS = 1000;

export default {
  id: 'audit-runs', title: 'Audit runs', group: 'audits', wide: true,

  mount(body, ctx, setSubtitle) {
    const {state} = ctx;
    const benchmark = element('select');
    benchmark.dataset.testid = 'audit-benchmark';
    const data = element('input', {type: 'text', size: 30, placeholder: 'dataset in the data folder'});
    data.dataset.testid = 'audit-data';
    data.setAttribute('list', 'audit-datasets');
    const datasets = element('datalist', {id: 'audit-datasets'});
    const run = element('input', {type: 'text', size: 22, placeholder: 'run folder, e.g. toxigen-1'});
    run.dataset.testid = 'audit-run';
    const badRows = element('select', {}, new Option('stop at bad rows', 'stop'), new Option('skip bad rows', 'skip'));
    const split = element('select', {}, new Option('test split', 'test'), new Option('dev split', 'dev'), new Option('both splits', 'all'));
    const start = element('button', {type: 'button', textContent: 'Start', className: 'primary'});
    start.dataset.testid = 'audit-start';
    const hint = element('div', {className: 'muted'});
    const error = element('div', {className: 'error'});
    error.dataset.testid = 'audit-error';
    const table = element('table', {className: 'runs'});
    table.dataset.testid = 'audit-runs';
    body.append(element('div', {className: 'controls'}, element('label', {}, 'benchmark ', benchmark), element('label', {}, 'data ', data),
      datasets, element('label', {}, 'run ', run), badRows, split, start), hint, error, table);

    let listing = null;
    let timer = null;

    function visible() {
      return !body.closest('section').hidden;
    }

    function describe() {
      const chosen = listing?.benchmarks.find(b => b.name === benchmark.value);
      hint.textContent = chosen ? `${chosen.name} reads ${chosen.data}` : '';
      split.hidden = benchmark.value !== 'winobias';
    }
    benchmark.onchange = describe;

    async function refresh() {
      clearTimeout(timer);
      try {
        listing = await getJson('/api/audits');
        if (benchmark.options.length === 0) {
          benchmark.replaceChildren(...listing.benchmarks.map(b => new Option(b.name, b.name)));
          describe();
        }
        render();
      } catch (e) {
        error.textContent = e.message;
      }
      // Poll while the list is on screen and a run is moving.
      if (visible() && listing?.runs.some(r => r.state === 'running' || r.state === 'cancelling')) {
        timer = setTimeout(refresh, POLL_MILLIS);
      }
    }

    async function loadDatasets() {
      try {
        const found = (await getJson('/api/audits/datasets')).datasets;
        datasets.replaceChildren(...found.map(d => new Option(d.path + (d.folder ? '/' : ''), d.path)));
      } catch (e) {
        error.textContent = e.message;
      }
    }

    async function startRun(request) {
      error.textContent = '';
      start.disabled = true;
      try {
        const status = await postJson('/api/audits/start', request);
        state.set({run: status.run});
        if (status.notes) hint.textContent = status.notes;
      } catch (e) {
        error.textContent = e.message;
      } finally {
        start.disabled = false;
      }
      refresh();
    }

    start.onclick = () => startRun({benchmark: benchmark.value, data: data.value, run: run.value, badRows: badRows.value,
      ...(benchmark.value === 'winobias' ? {split: split.value} : {})});

    function splitOf(settings) {
      const splits = settings?.splits ?? [];
      return splits.length === 2 ? 'all' : splits[0];
    }

    function render() {
      const selected = state.get().run;
      table.replaceChildren(element('tr', {}, ...['run', 'benchmark', 'dataset', 'model', 'progress', 'state', '']
        .map(h => element('th', {textContent: h}))));
      for (const r of listing.runs) {
        const bar = element('div', {className: 'progress'}, element('div', {className: 'progress-fill'}));
        bar.firstChild.style.width = r.total ? `${(100 * r.done / r.total).toFixed(1)}%` : '0';
        const resume = element('button', {type: 'button', textContent: 'Resume', title: 'Start it again: it continues where it stopped'});
        resume.hidden = r.state === 'finished' || r.state === 'running' || r.state === 'cancelling' || !r.data;
        resume.onclick = event => {
          event.stopPropagation();
          startRun({benchmark: r.benchmark, data: r.data, run: r.run,
            ...(r.benchmark === 'winobias' ? {split: splitOf(r.settings)} : {})});
        };
        const row = element('tr', {className: r.run === selected ? 'selected' : ''},
          element('td', {textContent: r.run}), element('td', {textContent: r.benchmark}),
          element('td', {textContent: r.data ?? r.datasetPath ?? '', title: r.datasetPath ?? ''}),
          element('td', {textContent: r.model, className: 'muted'}),
          element('td', {}, bar, element('span', {className: 'muted', textContent: ` ${r.done}${r.total !== null ? ' / ' + r.total : ''}`})),
          element('td', {textContent: r.state, title: r.error ?? ''}), element('td', {}, resume));
        row.dataset.run = r.run;
        row.dataset.state = r.state;
        row.onclick = () => state.set({run: r.run});
        table.append(row);
      }
      setSubtitle(`${listing.runs.length} run(s) in the runs folder`);
    }

    refresh();
    loadDatasets();
    return {
      update(values, changed) {
        if (changed.has('group') && values.group === 'audits') {
          refresh();
          loadDatasets();
        } else if (changed.has('run') && listing) {
          render();
        }
      },
      snapshot: () => tokensCanvas('Audit runs', (listing?.runs ?? []).map(r => ({text: `${r.run}: ${r.benchmark} ${r.done}/${r.total ?? '?'} ${r.state}\n`})),
        () => [240, 242, 246]),
      data: () => listing,
    };
  },
};

// One audit run: its progress while it runs (with Cancel), then what it concluded — the report's
// charts drawn on canvas (the per-group safety scores of the Phi-2 announcement, CrowS-Pairs per
// bias type against the 50% line, BBQ and WinoBias), its table, and its files to download.

import {getJson, postJson} from '../api.js';
import {barAt, describeBar, drawBarChart} from '../charts.js';
import {element, format, sizeCanvas} from '../draw.js';

const POLL_MILLIS = 500;

export default {
  id: 'audit-results', title: 'Audit results', group: 'audits', wide: true,

  mount(body, ctx, setSubtitle) {
    const {state} = ctx;
    const progress = element('div', {className: 'progress'}, element('div', {className: 'progress-fill'}));
    const progressText = element('span', {className: 'muted'});
    progressText.dataset.testid = 'audit-progress';
    const cancel = element('button', {type: 'button', textContent: 'Cancel', hidden: true});
    cancel.dataset.testid = 'audit-cancel';
    const charts = element('div', {className: 'charts'});
    const readout = element('div', {className: 'readout'});
    readout.dataset.testid = 'audit-readout';
    const table = element('table', {className: 'neurons report-table'});
    table.dataset.testid = 'audit-table';
    const files = element('div', {className: 'controls'});
    const error = element('div', {className: 'error'});
    body.append(element('div', {className: 'controls'}, progress, progressText, cancel), error, charts, readout, table, files);

    let detail = null;
    let timer = null;
    let sequence = 0;
    const canvases = [];

    async function load() {
      clearTimeout(timer);
      const mine = ++sequence;
      const run = state.get().run;
      if (!run) {
        detail = null;
        render();
        return;
      }
      try {
        const result = await getJson('/api/audits/run?run=' + encodeURIComponent(run));
        if (mine !== sequence) return;
        detail = result;
        error.textContent = '';
        render();
        const moving = result.status.state === 'running' || result.status.state === 'cancelling';
        if (moving && !body.closest('section').hidden) timer = setTimeout(load, POLL_MILLIS);
      } catch (e) {
        if (mine === sequence) {
          detail = null;
          render();
          error.textContent = e.message;
        }
      }
    }

    cancel.onclick = async () => {
      try {
        await postJson('/api/audits/cancel', {run: state.get().run});
      } catch (e) {
        error.textContent = e.message;
      }
      load();
    };

    function fileLink(name) {
      const run = detail.status.run;
      const link = element('a', {href: `/api/audits/file?run=${encodeURIComponent(run)}&file=${encodeURIComponent(name)}`,
        textContent: name});
      link.setAttribute('download', `${run.replaceAll('/', '-')}-${name}`);
      return link;
    }

    function drawCharts() {
      charts.replaceChildren();
      canvases.length = 0;
      for (const chart of detail.report?.charts ?? []) {
        const canvas = element('canvas');
        canvas.dataset.testid = 'audit-chart';
        canvas.dataset.file = chart.file;
        drawBarChart(canvas, chart, Math.max(420, Math.min(1100, body.clientWidth - 32)));
        canvas.addEventListener('mousemove', event => {
          const hit = barAt(canvas, event);
          readout.textContent = hit ? describeBar(hit.bar) : '';
          readout.dataset.value = hit ? hit.bar.value : '';
        });
        charts.append(canvas);
        canvases.push(canvas);
      }
      if (!detail.report && detail.status.state === 'finished') {
        // A run from before report.json: its charts are only the PNGs it wrote.
        for (const name of detail.files.filter(f => f.endsWith('.png'))) {
          charts.append(element('img', {src: fileLink(name).href, alt: name, className: 'chart-image'}));
        }
      }
    }

    function drawTable() {
      table.replaceChildren();
      const report = detail.report?.table;
      if (!report) return;
      table.append(element('tr', {}, ...report.columns.map(c => element('th', {textContent: c}))));
      for (const row of report.rows) {
        table.append(element('tr', {}, ...row.map(cell => element('td', {
          textContent: typeof cell === 'number' ? (Number.isInteger(cell) ? String(cell) : format(cell)) : cell === null ? '–' : String(cell),
        }))));
      }
    }

    function render() {
      if (!detail) {
        progress.hidden = true;
        cancel.hidden = true;
        progressText.textContent = state.get().run ? '' : 'Choose a run in the list, or start one.';
        charts.replaceChildren();
        table.replaceChildren();
        files.replaceChildren();
        setSubtitle('');
        return;
      }
      const s = detail.status;
      progress.hidden = false;
      progress.firstChild.style.width = s.total ? `${(100 * s.done / s.total).toFixed(1)}%` : '0';
      progressText.textContent = `${s.done}${s.total !== null ? ' / ' + s.total : ''} items · ${s.state}` + (s.error ? ` · ${s.error}` : '');
      progressText.dataset.state = s.state;
      cancel.hidden = s.state !== 'running';
      drawCharts();
      drawTable();
      files.replaceChildren('download: ', ...detail.files.flatMap(name => [fileLink(name), ' ']));
      setSubtitle(`${s.run} · ${s.benchmark} on ${s.data ?? s.datasetPath}`);
    }

    window.addEventListener('resize', () => { if (detail) drawCharts(); });
    load();
    return {
      update(values, changed) {
        if (changed.has('run') || (changed.has('group') && values.group === 'audits')) load();
      },
      snapshot() {
        if (canvases.length === 1) return canvases[0];
        const width = Math.max(10, ...canvases.map(c => c.width));
        const height = canvases.reduce((total, c) => total + c.height, 0) || 10;
        const sheet = document.createElement('canvas');
        const context = sizeCanvas(sheet, width / (window.devicePixelRatio || 1), height / (window.devicePixelRatio || 1));
        context.setTransform(1, 0, 0, 1, 0, 0);
        let y = 0;
        for (const canvas of canvases) {
          context.drawImage(canvas, 0, y);
          y += canvas.height;
        }
        return sheet;
      },
      data: () => detail,
    };
  },
};

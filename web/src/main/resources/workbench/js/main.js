// The workbench shell: loads the model's description, runs the prompt, and lays out the views
// of the current area as panels that each export PNG and JSON. Views come from views/registry.js.

import {ApiError, getJson, postJson} from './api.js';
import {downloadCanvas, downloadJson} from './draw.js';
import {createState} from './state.js';
import {groups, views} from './views/registry.js';

const state = createState();
const promptBox = document.getElementById('prompt');
const promptStatus = document.getElementById('prompt-status');
const message = document.getElementById('message');

/** What every view gets: the shared selection, the model's description and the current run. */
const ctx = {
  state,
  model: null,
  run: null,
  /** Shows an API error (or clears it with null) in the page's message bar. */
  report(error) {
    message.hidden = !error;
    message.textContent = error ? describe(error) : '';
  },
};

function describe(error) {
  if (error instanceof ApiError && error.status === 429) {
    return `The model is busy (${error.message}); try again in ${error.body?.retryAfterSeconds ?? 1} s.`;
  }
  return error.message || String(error);
}

const panels = [];

function mountPanels() {
  const container = document.getElementById('views');
  for (const view of views) {
    const section = document.createElement('section');
    section.className = 'view' + (view.wide ? ' wide' : '');
    section.dataset.view = view.id;
    section.dataset.group = view.group;
    const header = document.createElement('header');
    const title = document.createElement('h2');
    title.textContent = view.title;
    const subtitle = document.createElement('span');
    subtitle.className = 'subtitle';
    const exports = document.createElement('span');
    exports.className = 'exports';
    const png = Object.assign(document.createElement('button'), {type: 'button', textContent: 'PNG', title: 'Save this view as an image'});
    const json = Object.assign(document.createElement('button'), {type: 'button', textContent: 'JSON', title: 'Save the data of this view'});
    png.dataset.export = 'png';
    json.dataset.export = 'json';
    exports.append(png, json);
    header.append(title, subtitle, exports);
    const body = document.createElement('div');
    body.className = 'body';
    section.append(header, body);
    container.append(section);
    const instance = view.mount(body, ctx, text => { subtitle.textContent = text; });
    png.onclick = () => downloadCanvas(`phiscope-${view.id}.png`, instance.snapshot());
    json.onclick = () => downloadJson(`phiscope-${view.id}.json`,
      {view: view.id, model: ctx.model.name, selection: state.get(), data: instance.data()});
    panels.push({view, section, instance});
  }
}

function showGroup(group) {
  const nav = document.getElementById('groups');
  nav.replaceChildren(...groups.map(g => {
    const button = Object.assign(document.createElement('button'), {type: 'button', textContent: g.title});
    button.setAttribute('aria-current', String(g.id === group));
    button.onclick = () => state.set({group: g.id});
    return button;
  }));
  for (const panel of panels) panel.section.hidden = panel.view.group !== group;
  document.getElementById('prompt-form').hidden = !groups.find(g => g.id === group)?.prompt;
}

function notify(values, changed) {
  for (const panel of panels) panel.instance.update(values, changed);
}

let runSequence = 0;

async function runPrompt(prompt) {
  const sequence = ++runSequence;
  ctx.run = null;
  if (!prompt) {
    notify(state.get(), new Set(['run']));
    return;
  }
  promptStatus.textContent = 'running…';
  try {
    const run = await postJson('/api/run', {prompt, topK: 10});
    if (sequence !== runSequence) return;
    ctx.run = run;
    ctx.report(null);
    promptStatus.textContent = `${run.tokens.length} tokens`;
    const token = state.get().token;
    if (token < 0 || token >= run.tokens.length) {
      state.set({token: run.tokens.length - 1});
    }
    notify(state.get(), new Set(['run']));
  } catch (error) {
    if (sequence !== runSequence) return;
    promptStatus.textContent = '';
    ctx.report(error);
    notify(state.get(), new Set(['run']));
  }
}

async function start() {
  ctx.model = await getJson('/api/model');
  const m = ctx.model;
  document.getElementById('model-info').textContent =
    `${m.name} · ${m.layers} layers × ${m.heads} heads · d_model ${m.dModel} · MLP ${m.dMlp} · context ${m.context}` +
    ` · ${m.weights} weights`;
  const quantized = document.getElementById('quantized');
  quantized.hidden = !m.quantized;
  quantized.textContent = `quantized to ${m.weights}: every number here approximates the model's`;
  const edited = document.getElementById('edited');
  edited.hidden = m.intervention == null;
  edited.textContent = `edited: ${m.intervention}`;
  mountPanels();
  showGroup(state.get().group);
  state.subscribe((values, changed) => {
    if (changed.has('group')) showGroup(values.group);
    // No token selected (a new prompt, or a URL without one) means the last token.
    if (changed.has('token') && ctx.run && (values.token < 0 || values.token >= ctx.run.tokens.length)) {
      state.set({token: ctx.run.tokens.length - 1});
      return;
    }
    if (changed.has('prompt')) {
      promptBox.value = values.prompt;
      runPrompt(values.prompt);
    }
    notify(values, changed);
  });
  document.getElementById('prompt-form').addEventListener('submit', event => {
    event.preventDefault();
    const prompt = promptBox.value;
    if (prompt === state.get().prompt) {
      runPrompt(prompt);
    } else {
      state.set({prompt, token: -1});
    }
  });
  promptBox.addEventListener('keydown', event => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      document.getElementById('run').click();
    }
  });
  promptBox.value = state.get().prompt;
  document.body.dataset.ready = 'true';
  runPrompt(state.get().prompt);
}

start().catch(error => ctx.report(error));

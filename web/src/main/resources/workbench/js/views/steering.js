// Steering: a vector added at the selected layer (ActAdd from a plus/minus prompt pair, or the
// difference of the mean activations of two sets of prompts), and the prompt's baseline and
// steered continuations side by side as they stream. Sampling follows the Generate view's settings.

import {streamEvents} from '../api.js';
import {sideBySide} from '../continuations.js';
import {element, format} from '../draw.js';

const SITES = ['resid_pre', 'resid_post', 'attn_out', 'mlp_out'];

function lines(textarea) {
  return textarea.value.split('\n').map(line => line.trim()).filter(line => line.length > 0);
}

export default {
  id: 'steering', title: 'Steering', group: 'explore', wide: true,

  mount(body, ctx, setSubtitle) {
    const {state, model} = ctx;
    const mode = element('select', {}, new Option('ActAdd: plus − minus', 'actadd'), new Option('difference of means of two prompt sets', 'means'));
    const layer = element('select', {}, ...Array.from({length: model.layers}, (_, l) => new Option('L' + l, l)));
    const site = element('select', {}, ...SITES.map(s => new Option(s, s)));
    const coefficient = element('input', {type: 'number', step: 0.5});
    const plus = element('input', {type: 'text', placeholder: 'plus, e.g. Love', size: 18});
    const minus = element('input', {type: 'text', placeholder: 'minus, e.g. Hate', size: 18});
    const positive = element('textarea', {rows: 3, cols: 34, placeholder: 'towards: one prompt per line'});
    const negative = element('textarea', {rows: 3, cols: 34, placeholder: 'away from: one prompt per line'});
    const start = element('button', {type: 'button', textContent: 'Steer', className: 'primary'});
    const stop = element('button', {type: 'button', textContent: 'Stop', disabled: true});
    start.dataset.testid = 'steer';
    const pair = element('span', {className: 'controls'}, element('label', {}, '+ ', plus), element('label', {}, '− ', minus));
    const sets = element('span', {className: 'controls'}, positive, negative);
    body.append(element('div', {className: 'controls'}, element('label', {}, 'vector ', mode), element('label', {}, 'layer ', layer),
      element('label', {}, 'site ', site), element('label', {}, 'coefficient ', coefficient), start, stop),
    element('div', {className: 'controls'}, pair, sets));
    const vector = element('div', {className: 'muted'});
    vector.dataset.testid = 'steer-vector';
    const columns = sideBySide('steer');
    const status = element('div', {className: 'muted'});
    status.dataset.testid = 'steer-status';
    body.append(vector, columns.node, status);

    let abort = null;

    mode.onchange = () => state.set({steerMode: mode.value});
    layer.onchange = () => state.set({layer: Number(layer.value)});
    site.onchange = () => state.set({steerSite: site.value});
    coefficient.onchange = () => state.set({steerCoefficient: Number(coefficient.value)});
    plus.onchange = () => state.set({steerPlus: plus.value});
    minus.onchange = () => state.set({steerMinus: minus.value});

    function sync() {
      const v = state.get();
      mode.value = v.steerMode;
      layer.value = v.layer;
      site.value = v.steerSite;
      coefficient.value = v.steerCoefficient;
      if (document.activeElement !== plus) plus.value = v.steerPlus;
      if (document.activeElement !== minus) minus.value = v.steerMinus;
      pair.hidden = v.steerMode !== 'actadd';
      sets.hidden = v.steerMode !== 'means';
    }

    start.onclick = async () => {
      const v = state.get();
      if (!v.prompt) {
        status.textContent = 'Run a prompt first.';
        return;
      }
      const source = v.steerMode === 'actadd' ? {plus: v.steerPlus, minus: v.steerMinus}
        : {positive: lines(positive), negative: lines(negative)};
      abort = new AbortController();
      vector.textContent = '';
      start.disabled = true;
      stop.disabled = false;
      status.textContent = 'building the vector…';
      status.dataset.state = 'running';
      const request = {
        prompt: v.prompt, layer: v.layer, site: v.steerSite, coefficient: v.steerCoefficient, ...source,
        maxNewTokens: v.maxNewTokens, temperature: v.temperature, topK: v.topK, topP: v.topP, seed: v.seed,
      };
      const outcome = await columns.run(v.prompt, onEvent => streamEvents('/api/steer', request, onEvent, abort.signal),
        (event, data) => {
          if (event === 'vector') {
            vector.textContent = `${data.method} vector on ${data.hook}: ${data.rows} row(s), norm ${format(data.norm)}, `
              + `added × ${data.coefficient}`;
          }
        }, text => { status.textContent = text; });
      abort = null;
      start.disabled = false;
      stop.disabled = true;
      status.textContent = outcome;
      status.dataset.state = 'finished';
    };
    stop.onclick = () => abort?.abort();

    sync();
    return {
      update(values, changed) {
        sync();
        setSubtitle(`L${values.layer} ${values.steerSite} × ${values.steerCoefficient}`);
      },
      snapshot: () => columns.snapshot('Baseline, then steered'),
      data: () => ({settings: state.get(), vector: vector.textContent, ...columns.data()}),
    };
  },
};

// Steering by a feature: the selected feature held at a value at every position (0 ablates it),
// and the prompt's baseline and clamped continuations side by side as they stream. The SAE runs
// with its error term, so the model sees only the feature's change. Sampling follows Generate's.

import {streamEvents} from '../api.js';
import {sideBySide} from '../continuations.js';
import {element} from '../draw.js';

export default {
  id: 'sae-steer', title: 'Clamp a feature', group: 'sae', wide: true,

  mount(body, ctx, setSubtitle) {
    const {state} = ctx;
    const value = element('input', {type: 'number', step: 0.5});
    value.dataset.testid = 'sae-clamp';
    const start = element('button', {type: 'button', textContent: 'Generate both', className: 'primary'});
    start.dataset.testid = 'sae-steer';
    const stop = element('button', {type: 'button', textContent: 'Stop', disabled: true});
    const which = element('span', {className: 'muted'});
    body.append(element('div', {className: 'controls'}, which, element('label', {}, 'held at ', value), start, stop));
    const columns = sideBySide('sae-steer');
    const status = element('div', {className: 'muted'});
    status.dataset.testid = 'sae-steer-status';
    body.append(columns.node, status);

    let abort = null;
    value.onchange = () => state.set({saeClamp: Number(value.value)});

    function sync() {
      const v = state.get();
      value.value = v.saeClamp;
      which.textContent = v.feature >= 0 ? `feature ${v.feature} of ${v.sae}` : 'pick a feature first';
      start.disabled = abort !== null || v.feature < 0 || !v.sae;
    }

    start.onclick = async () => {
      const v = state.get();
      if (!v.prompt) {
        status.textContent = 'Run a prompt first.';
        return;
      }
      abort = new AbortController();
      sync();
      stop.disabled = false;
      status.textContent = 'generating…';
      status.dataset.state = 'running';
      const request = {prompt: v.prompt, sae: v.sae, feature: v.feature, value: v.saeClamp,
        maxNewTokens: v.maxNewTokens, temperature: v.temperature, topK: v.topK, topP: v.topP, seed: v.seed};
      const outcome = await columns.run(v.prompt, onEvent => streamEvents('/api/sae/steer', request, onEvent, abort.signal),
        () => {}, text => { status.textContent = text; });
      abort = null;
      stop.disabled = true;
      sync();
      status.textContent = outcome;
      status.dataset.state = 'finished';
    };
    stop.onclick = () => abort?.abort();

    sync();
    return {
      update(values) {
        sync();
        setSubtitle(values.feature >= 0 ? `feature ${values.feature} held at ${values.saeClamp}` : '');
      },
      snapshot: () => columns.snapshot(`Baseline, then feature ${state.get().feature} held at ${state.get().saeClamp}`),
      data: () => ({settings: state.get(), ...columns.data()}),
    };
  },
};

// The selection shared by every view (prompt, token, layer, head, ...), kept in the URL's hash so
// a view can be shared and a reload restores it. Only values that differ from the defaults are written.

const DEFAULTS = {
  group: 'explore', prompt: '', token: -1, layer: 0, head: 0, overview: 'patterns',
  activation: 'neuron', neuron: 0, site: 'post', hook: 'hook_resid_post', dirToken: '', dirMinus: '',
  maxNewTokens: 32, temperature: 0, topK: 0, topP: 1, seed: 0,
  target: '', lensColour: 'top', dlaToken: '', dlaVersus: '', probe: '', probeClass: 1,
  steerMode: 'actadd', steerSite: 'resid_pre', steerCoefficient: 4, steerPlus: '', steerMinus: '',
  run: '', compareBaseline: '', compareEdited: '', sweep: '', sae: '', feature: -1, saeClamp: 4, saeSearch: '', saeSearchBy: 'token',
};
const NUMBERS = new Set(['token', 'layer', 'head', 'neuron', 'maxNewTokens', 'temperature', 'topK', 'topP', 'seed', 'probeClass',
  'steerCoefficient', 'feature', 'saeClamp']);

function fromHash(hash) {
  const values = {};
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  for (const [key, raw] of params) {
    if (!(key in DEFAULTS)) continue;
    if (NUMBERS.has(key)) {
      const number = Number(raw);
      if (Number.isFinite(number)) values[key] = number;
    } else {
      values[key] = raw;
    }
  }
  return values;
}

function toHash(values) {
  const params = new URLSearchParams();
  for (const key of Object.keys(DEFAULTS)) {
    if (values[key] !== DEFAULTS[key]) params.set(key, String(values[key]));
  }
  const text = params.toString();
  return text ? '#' + text : '';
}

export function createState() {
  let values = {...DEFAULTS, ...fromHash(location.hash)};
  const listeners = [];

  function set(patch) {
    const changed = new Set();
    for (const [key, value] of Object.entries(patch)) {
      if (values[key] !== value) changed.add(key);
    }
    if (changed.size === 0) return;
    values = {...values, ...patch};
    history.replaceState(null, '', location.pathname + location.search + toHash(values));
    for (const listener of listeners) listener(values, changed);
  }

  // A pasted or edited URL on the same page applies like a reload.
  window.addEventListener('hashchange', () => set({...DEFAULTS, ...fromHash(location.hash)}));

  return {
    get: () => values,
    set,
    subscribe: listener => listeners.push(listener),
  };
}

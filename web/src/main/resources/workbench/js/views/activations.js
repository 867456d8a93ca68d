// Activations coloured on the text: one MLP neuron, or the residual stream projected on a
// direction (a token's unembedding, optionally minus another's), per token. Beside it, the
// neurons of the layer that fire most at the selected token; a click shows that neuron.

import {postJson} from '../api.js';
import {css, diverging, element, format, legend, tokenChip, tokensCanvas} from '../draw.js';

const GLOBAL_HOOKS = new Set(['hook_embed', 'ln_final.hook_normalized']);
const HOOKS = ['hook_embed', 'hook_resid_pre', 'ln1.hook_normalized', 'hook_attn_out', 'hook_mlp_out', 'hook_resid_post',
  'ln_final.hook_normalized'];

export default {
  id: 'activations', title: 'Activations', group: 'explore', wide: true,

  mount(body, ctx, setSubtitle) {
    const {state, model} = ctx;
    const mode = element('select', {}, new Option('MLP neuron', 'neuron'), new Option('residual direction', 'direction'));
    const layer = element('select', {}, ...Array.from({length: model.layers}, (_, l) => new Option('L' + l, l)));
    const site = element('select', {}, new Option('after gelu (hook_post)', 'post'), new Option('before gelu (hook_pre)', 'pre'));
    const neuron = element('input', {type: 'number', min: 0, max: model.dMlp - 1});
    const hook = element('select', {}, ...HOOKS.map(h => new Option(h, h)));
    const dirToken = element('input', {type: 'text', placeholder: "token, e.g. ' return'", size: 14});
    const dirMinus = element('input', {type: 'text', placeholder: 'minus token (optional)', size: 16});
    const apply = element('button', {type: 'button', textContent: 'Show'});
    mode.dataset.testid = 'activation-mode';
    neuron.dataset.testid = 'neuron';
    const neuronControls = element('span', {className: 'controls'},
      element('label', {}, 'layer ', layer), element('label', {}, 'site ', site), element('label', {}, 'neuron ', neuron));
    const directionControls = element('span', {className: 'controls'},
      element('label', {}, 'hook ', hook), element('label', {}, 'direction ', dirToken), element('label', {}, '− ', dirMinus), apply);
    const controls = element('div', {className: 'controls'}, element('label', {}, 'show ', mode), neuronControls, directionControls);
    const text = element('div', {className: 'tokens'});
    text.dataset.testid = 'activation-text';
    const scale = element('div');
    const error = element('div', {className: 'error'});
    const neurons = element('table', {className: 'neurons'});
    neurons.dataset.testid = 'top-neurons';
    const neuronsTitle = element('div', {className: 'muted'});
    body.append(controls, element('div', {className: 'split'},
      element('div', {}, text, scale, error), element('div', {}, neuronsTitle, neurons)));

    let values = null;
    let top = null;
    let sequence = 0;
    let topSequence = 0;

    function hookName(values) {
      return GLOBAL_HOOKS.has(values.hook) ? values.hook : `blocks.${values.layer}.${values.hook}`;
    }

    function syncControls() {
      const v = state.get();
      mode.value = v.activation;
      layer.value = v.layer;
      site.value = v.site;
      neuron.value = v.neuron;
      hook.value = v.hook;
      if (document.activeElement !== dirToken) dirToken.value = v.dirToken;
      if (document.activeElement !== dirMinus) dirMinus.value = v.dirMinus;
      neuronControls.hidden = v.activation !== 'neuron';
      directionControls.hidden = v.activation !== 'direction';
    }

    mode.onchange = () => state.set({activation: mode.value});
    layer.onchange = () => state.set({layer: Number(layer.value)});
    site.onchange = () => state.set({site: site.value});
    neuron.onchange = () => state.set({neuron: Math.max(0, Math.min(model.dMlp - 1, Number(neuron.value) || 0))});
    hook.onchange = () => state.set({hook: hook.value});
    apply.onclick = () => state.set({dirToken: dirToken.value, dirMinus: dirMinus.value});

    async function load() {
      const mine = ++sequence;
      values = null;
      error.textContent = '';
      render();
      const v = state.get();
      if (!ctx.run) return;
      let request;
      if (v.activation === 'neuron') {
        request = postJson('/api/activations/neuron', {prompt: v.prompt, layer: v.layer, neuron: v.neuron, site: v.site});
      } else if (v.dirToken) {
        request = postJson('/api/activations/direction', {prompt: v.prompt, hook: hookName(v), token: v.dirToken,
          ...(v.dirMinus ? {minusToken: v.dirMinus} : {})});
      } else {
        text.innerHTML = '<div class="empty">Give a token: the residual stream is projected on its unembedding direction.</div>';
        return;
      }
      try {
        const result = await request;
        if (mine !== sequence) return;
        values = result;
        render();
      } catch (e) {
        if (mine === sequence) error.textContent = e.message;
      }
    }

    async function loadTop() {
      const mine = ++topSequence;
      const v = state.get();
      top = null;
      renderTop();
      if (!ctx.run || v.token < 0) return;
      try {
        const result = await postJson('/api/activations/top-neurons',
          {prompt: v.prompt, layer: v.layer, position: v.token, k: 10, site: v.site});
        if (mine !== topSequence) return;
        top = result;
        renderTop();
      } catch (e) {
        if (mine === topSequence) error.textContent = e.message;
      }
    }

    function scaleOf(result) {
      return Math.max(1e-9, ...result.values.map(Math.abs));
    }

    function render() {
      syncControls();
      text.replaceChildren();
      scale.replaceChildren();
      if (!ctx.run || !values) {
        setSubtitle(ctx.run ? 'loading…' : '');
        return;
      }
      const max = scaleOf(values);
      const selected = state.get().token;
      for (const token of ctx.run.tokens) {
        const chip = tokenChip(token, token.index === selected ? 'selected' : '');
        const value = values.values[token.index];
        chip.style.background = css(diverging(value, max));
        chip.dataset.value = value;
        chip.title += ` · ${format(value)}`;
        text.append(chip);
      }
      scale.append(legend('activation', v => diverging(v, max), -max, max));
      setSubtitle(values.neuron !== undefined ? `${values.hook} neuron ${values.neuron}` : `${values.hook} · ${values.direction}`);
    }

    function renderTop() {
      neurons.replaceChildren();
      const v = state.get();
      neuronsTitle.textContent = ctx.run && v.token >= 0 ? `Top neurons of L${v.layer} (${v.site}) at token ${v.token}` : '';
      if (!top) return;
      neurons.append(element('tr', {}, element('th', {textContent: 'neuron'}), element('th', {textContent: 'activation'})));
      for (const n of top.neurons) {
        const row = element('tr', {}, element('td', {textContent: n.neuron}), element('td', {textContent: format(n.value)}));
        row.onclick = () => state.set({activation: 'neuron', neuron: n.neuron});
        neurons.append(row);
      }
    }

    text.addEventListener('click', event => {
      const chip = event.target.closest('.tok');
      if (chip) state.set({token: Number(chip.dataset.index)});
    });

    const ownKeys = ['activation', 'layer', 'neuron', 'site', 'hook', 'dirToken', 'dirMinus'];
    return {
      update(v, changed) {
        if (changed.has('run') || ownKeys.some(key => changed.has(key))) load();
        else if (changed.has('token')) render();
        if (changed.has('run') || changed.has('token') || changed.has('layer') || changed.has('site')) loadTop();
        syncControls();
      },
      snapshot() {
        const max = values ? scaleOf(values) : 1;
        return tokensCanvas(values ? `${values.hook} ${values.neuron !== undefined ? 'neuron ' + values.neuron : values.direction}` : 'Activations',
          ctx.run?.tokens ?? [], token => values ? diverging(values.values[token.index], max) : [255, 255, 255]);
      },
      data: () => ({activations: values, topNeurons: top, tokens: ctx.run?.tokens}),
    };
  },
};

// Generation streamed token by token as the model produces it, with the sampling settings and a
// stop button (stopping closes the stream; the server notices and stops the model).

import {streamEvents} from '../api.js';
import {tokensCanvas} from '../draw.js';

function field(label, input) {
  const wrapper = document.createElement('label');
  wrapper.append(label + ' ', input);
  return wrapper;
}

function numberInput(key, step, min, max) {
  return Object.assign(document.createElement('input'), {type: 'number', step, min, max, name: key});
}

export default {
  id: 'generation', title: 'Generate', group: 'explore', wide: true,

  mount(body, ctx, setSubtitle) {
    const {state, model} = ctx;
    const inputs = {
      maxNewTokens: numberInput('maxNewTokens', 1, 1, model.limits.maxNewTokens),
      temperature: numberInput('temperature', 0.1, 0, 5),
      topK: numberInput('topK', 1, 0, 1000),
      topP: numberInput('topP', 0.05, 0.05, 1),
      seed: numberInput('seed', 1, 0, 2 ** 31),
    };
    const start = Object.assign(document.createElement('button'), {type: 'button', textContent: 'Generate', className: 'primary'});
    const stop = Object.assign(document.createElement('button'), {type: 'button', textContent: 'Stop', disabled: true});
    const reuse = Object.assign(document.createElement('button'), {type: 'button', textContent: 'Use as prompt', disabled: true});
    start.dataset.testid = 'generate';
    stop.dataset.testid = 'stop';
    const controls = document.createElement('div');
    controls.className = 'controls';
    controls.append(field('max new tokens', inputs.maxNewTokens), field('temperature', inputs.temperature),
      field('top-k', inputs.topK), field('top-p', inputs.topP), field('seed', inputs.seed), start, stop, reuse);
    const output = document.createElement('div');
    output.className = 'generation-output';
    output.dataset.testid = 'generation-output';
    const status = document.createElement('div');
    status.className = 'muted';
    status.dataset.testid = 'generation-status';
    body.append(controls, output, status);

    let abort = null;
    let generated = [];
    let promptText = '';

    for (const [key, input] of Object.entries(inputs)) {
      input.onchange = () => state.set({[key]: Number(input.value)});
    }

    function syncInputs() {
      const values = state.get();
      for (const [key, input] of Object.entries(inputs)) input.value = values[key];
    }

    function finish(text) {
      abort = null;
      start.disabled = false;
      stop.disabled = true;
      reuse.disabled = generated.length === 0;
      status.textContent = text;
      status.dataset.state = 'finished';
    }

    start.onclick = async () => {
      const values = state.get();
      if (!values.prompt) {
        status.textContent = 'Run a prompt first.';
        return;
      }
      abort = new AbortController();
      generated = [];
      promptText = values.prompt;
      output.replaceChildren(Object.assign(document.createElement('span'), {className: 'from-prompt', textContent: promptText}));
      start.disabled = true;
      stop.disabled = false;
      reuse.disabled = true;
      status.textContent = 'waiting for the model…';
      status.dataset.state = 'running';
      const began = performance.now();
      try {
        await streamEvents('/api/generate', {
          prompt: values.prompt, maxNewTokens: values.maxNewTokens, temperature: values.temperature,
          topK: values.topK, topP: values.topP, seed: values.seed,
        }, (event, data) => {
          if (event === 'token') {
            generated.push(data);
            const span = Object.assign(document.createElement('span'), {className: 'generated', textContent: data.text});
            span.title = `id ${data.id}`;
            output.append(span);
            output.scrollTop = output.scrollHeight;
            status.textContent = `streaming · ${generated.length} tokens`;
          } else if (event === 'done') {
            if (data.text) output.append(Object.assign(document.createElement('span'), {className: 'generated', textContent: data.text}));
            const rate = data.seconds > 0 ? ` (${(data.generated / data.seconds).toFixed(1)} tokens/s)` : '';
            finish(`done · ${data.generated} tokens in ${data.seconds.toFixed(2)} s${rate} · stopped: ${data.stop.replace('_', ' ')}`);
          } else if (event === 'error') {
            finish(`failed: ${data.error}`);
          }
        }, abort.signal);
        if (abort) finish(`ended after ${generated.length} tokens`);
      } catch (error) {
        if (error.name === 'AbortError') {
          finish(`stopped after ${generated.length} tokens (${((performance.now() - began) / 1000).toFixed(1)} s)`);
        } else {
          finish(`failed: ${error.message}`);
        }
      }
    };
    stop.onclick = () => abort?.abort();
    reuse.onclick = () => state.set({prompt: promptText + generated.map(t => t.text).join(''), token: -1});

    syncInputs();
    return {
      update(values, changed) {
        if (['maxNewTokens', 'temperature', 'topK', 'topP', 'seed'].some(key => changed.has(key))) syncInputs();
        setSubtitle(values.temperature > 0 ? `sampling at temperature ${values.temperature}` : 'greedy');
      },
      snapshot: () => tokensCanvas('Generated continuation', [{text: promptText}, ...generated],
        token => token.id === undefined ? [240, 242, 246] : [226, 240, 226]),
      data: () => ({prompt: promptText, settings: state.get(), tokens: generated}),
    };
  },
};

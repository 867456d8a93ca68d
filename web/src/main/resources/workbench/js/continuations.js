// A baseline and an edited continuation of the same prompt streamed side by side, as the
// steering views show them: the columns, the streamed events written into them, the PNG.

import {element, tokensCanvas} from './draw.js';

/**
 * Two columns whose outputs carry data-testid prefix-baseline and prefix-steered. run(prompt,
 * stream, onOther) clears them, then calls stream(onEvent) and writes each token and done event
 * it passes; other events go to onOther. It resolves with a status line for the view to show.
 */
export function sideBySide(prefix) {
  const outputs = {};
  const node = element('div', {className: 'side-by-side'});
  for (const name of ['baseline', 'steered']) {
    const output = element('div', {className: 'generation-output'});
    output.dataset.testid = `${prefix}-${name}`;
    outputs[name] = {output, tokens: []};
    node.append(element('div', {}, element('div', {className: 'muted', textContent: name}), output));
  }
  let prompt = '';

  async function run(text, stream, onOther, onProgress) {
    prompt = text;
    for (const {output, tokens} of Object.values(outputs)) {
      tokens.length = 0;
      output.replaceChildren(element('span', {className: 'from-prompt', textContent: text}));
    }
    let done = 0;
    let failure = null;
    try {
      await stream((event, data) => {
        if (event === 'token') {
          const {output, tokens} = outputs[data.continuation];
          tokens.push(data);
          output.append(element('span', {className: 'generated', textContent: data.text, title: `id ${data.id}`}));
          onProgress(`streaming the ${data.continuation} continuation`);
        } else if (event === 'done') {
          if (data.text) outputs[data.continuation].output.append(element('span', {className: 'generated', textContent: data.text}));
          done++;
        } else if (event === 'error') {
          failure = data.error;
        } else {
          onOther(event, data);
        }
      });
    } catch (error) {
      return error.name === 'AbortError' ? 'stopped' : `failed: ${error.message}`;
    }
    if (failure) return `failed: ${failure}`;
    return done === 2 ? `done · ${outputs.baseline.tokens.length} and ${outputs.steered.tokens.length} tokens` : 'ended early';
  }

  return {
    node,
    run,
    snapshot: title => tokensCanvas(title, [{text: 'baseline: ' + prompt}, ...outputs.baseline.tokens,
      {text: '\n'}, {text: 'steered: ' + prompt}, ...outputs.steered.tokens],
    token => token.id === undefined ? [240, 242, 246] : [226, 240, 226]),
    data: () => ({baseline: outputs.baseline.tokens, steered: outputs.steered.tokens}),
  };
}

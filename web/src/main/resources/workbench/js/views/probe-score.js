// A saved probe's score on the prompt, token by token: the probability of one of its classes as
// if the text ended at each token, coloured on the text. Probes come from the server's probes
// folder (phiscope probe sweep --save-best, audit toxicity-probe).

import {getJson, postJson} from '../api.js';
import {css, element, format, legend, sequential, tokenChip, tokensCanvas} from '../draw.js';

export default {
  id: 'probe-score', title: 'Probe on the text', group: 'explore',

  mount(body, ctx, setSubtitle) {
    const {state} = ctx;
    const probe = element('select');
    probe.dataset.testid = 'probe-select';
    const klass = element('select');
    klass.dataset.testid = 'probe-class';
    body.append(element('div', {className: 'controls'}, element('label', {}, 'probe ', probe), element('label', {}, 'P(class) ', klass)));
    const text = element('div', {className: 'tokens'});
    text.dataset.testid = 'probe-text';
    const scale = element('div');
    const error = element('div', {className: 'error'});
    body.append(text, scale, error);

    let probes = [];
    let scores = null;
    let sequence = 0;

    probe.onchange = () => state.set({probe: probe.value, probeClass: 1});
    klass.onchange = () => state.set({probeClass: Number(klass.value)});

    async function loadProbes() {
      try {
        probes = (await getJson('/api/probes')).probes;
      } catch (e) {
        error.textContent = e.message;
      }
      probe.replaceChildren(new Option(probes.length ? 'choose a probe' : 'no saved probes in the probes folder', ''),
        ...probes.map(p => new Option(`${p.name} (${p.hook})`, p.name)));
      load();
    }

    async function load() {
      const mine = ++sequence;
      scores = null;
      error.textContent = '';
      render();
      const v = state.get();
      if (!ctx.run || !v.probe) return;
      try {
        const result = await postJson('/api/probes/score', {prompt: v.prompt, probe: v.probe});
        if (mine !== sequence) return;
        scores = result;
        render();
      } catch (e) {
        if (mine === sequence) error.textContent = e.message;
      }
    }

    function chosenClass() {
      return Math.max(0, Math.min(scores.classes.length - 1, state.get().probeClass));
    }

    function render() {
      const v = state.get();
      probe.value = v.probe;
      text.replaceChildren();
      scale.replaceChildren();
      if (!ctx.run || !scores) {
        klass.replaceChildren();
        setSubtitle(v.probe && ctx.run ? 'loading…' : '');
        if (ctx.run && !v.probe) text.append(element('div', {className: 'empty', textContent: 'Choose a saved probe to read the prompt with.'}));
        return;
      }
      const k = chosenClass();
      klass.replaceChildren(...scores.classes.map((name, i) => new Option(name, i)));
      klass.value = k;
      for (const score of scores.scores) {
        const token = ctx.run.tokens[score.position];
        const p = score.probabilities[k];
        const chip = tokenChip(token, token.index === v.token ? 'selected' : '');
        chip.style.background = css(sequential(p));
        chip.style.color = p > 0.6 ? '#fff' : '';
        chip.dataset.value = p;
        chip.title += ` · P(${scores.classes[k]}) ${format(p)} · predicted ${scores.classes[score.predicted]}`;
        text.append(chip);
      }
      scale.append(legend(`P(${scores.classes[k]})`, sequential, 0, 1));
      setSubtitle(`${scores.probe}: ${scores.kind} probe on ${scores.hook} (${scores.pooling} pooling)`);
    }

    text.addEventListener('click', event => {
      const chip = event.target.closest('.tok');
      if (chip) state.set({token: Number(chip.dataset.index)});
    });

    loadProbes();
    return {
      update(values, changed) {
        if (changed.has('run') || changed.has('probe')) load();
        else if (changed.has('token') || changed.has('probeClass')) render();
      },
      snapshot() {
        const k = scores ? chosenClass() : 0;
        return tokensCanvas(scores ? `${scores.probe}: P(${scores.classes[k]}) per token` : 'Probe on the text', ctx.run?.tokens ?? [],
          token => scores ? sequential(scores.scores[token.index].probabilities[k]) : [255, 255, 255]);
      },
      data: () => ({probe: scores, tokens: ctx.run?.tokens}),
    };
  },
};

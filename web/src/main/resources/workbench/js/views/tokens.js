// The prompt as the model sees it: one chip per token, whitespace made visible, the id and the
// vocabulary spelling on hover; a click selects the token for every other view.

import {tokenChip, tokensCanvas} from '../draw.js';

export default {
  id: 'tokens', title: 'Tokens', group: 'explore', wide: true,

  mount(body, ctx, setSubtitle) {
    const strip = document.createElement('div');
    strip.className = 'tokens';
    strip.dataset.testid = 'token-strip';
    body.append(strip);

    function render() {
      const run = ctx.run;
      strip.replaceChildren();
      if (!run) {
        strip.innerHTML = '<div class="empty">Run a prompt to see its tokens.</div>';
        setSubtitle('');
        return;
      }
      for (const token of run.tokens) {
        strip.append(tokenChip(token));
        if (token.text.endsWith('\n')) strip.append(Object.assign(document.createElement('span'), {className: 'tok-break'}));
      }
      setSubtitle(`${run.tokens.length} tokens · hover for ids · click to select`);
      select();
    }

    function select() {
      const selected = ctx.state.get().token;
      for (const chip of strip.querySelectorAll('.tok')) {
        chip.classList.toggle('selected', Number(chip.dataset.index) === selected);
      }
    }

    strip.addEventListener('click', event => {
      const chip = event.target.closest('.tok');
      if (chip) ctx.state.set({token: Number(chip.dataset.index)});
    });

    return {
      update(state, changed) {
        if (changed.has('run')) render();
        else if (changed.has('token')) select();
      },
      snapshot() {
        const selected = ctx.state.get().token;
        return tokensCanvas(`Tokens of the prompt (${ctx.run?.tokens.length ?? 0})`, ctx.run?.tokens ?? [],
          token => token.index === selected ? [253, 230, 138] : [240, 242, 246]);
      },
      data() {
        return ctx.run?.tokens ?? [];
      },
    };
  },
};

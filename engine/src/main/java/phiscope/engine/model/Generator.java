package phiscope.engine.model;

import java.util.Arrays;
import java.util.function.Function;
import phiscope.engine.hooks.Hooks;

/**
 * Autoregressive generation through the KV cache: one prefill of the prompt, then one cached
 * step per new token. The same hooks run on the prefill and on every step, so a steering or
 * ablation hook shapes the whole continuation.
 */
public final class Generator {

    /** Why generation ended. */
    public enum Stop { END_OF_TEXT, MAX_TOKENS, CONTEXT_FULL, CANCELLED }

    /** Called with each new token; return false to stop generating. */
    @FunctionalInterface
    public interface Listener {
        boolean onToken(int id);
    }

    /** What generation produced. */
    public record Result(int[] prompt, int[] tokens, Stop stop) {
    }

    private final PhiModel model;
    private final int endOfText;
    private final int vocabularyLimit;

    /**
     * @param endOfText the token that ends a text (generation stops after it)
     * @param vocabularyLimit ids at or above it (embedding padding) are never generated
     */
    public Generator(PhiModel model, int endOfText, int vocabularyLimit) {
        this.model = model;
        this.endOfText = endOfText;
        this.vocabularyLimit = vocabularyLimit;
    }

    public Result generate(int[] prompt, int maxNewTokens, Sampler.Settings settings, Hooks hooks, Listener listener) {
        int context = model.config().maxPositions();
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
        if (prompt.length >= context) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens; the model's context is "
                    + context + " tokens, which leaves no room to generate");
        }
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("max new tokens must be >= 0, not " + maxNewTokens);
        }
        int room = Math.min(maxNewTokens, context - prompt.length);
        Sampler sampler = new Sampler(settings, vocabularyLimit);
        int[] tokens = new int[room];
        int count = 0;
        Stop stop = room < maxNewTokens ? Stop.CONTEXT_FULL : Stop.MAX_TOKENS;
        try (KVCache cache = model.newCache(prompt.length + Math.max(1, room))) {
            float[] logits = room == 0 ? null : model.forward(prompt, cache, hooks, PhiModel.Logits.LAST);
            while (count < room) {
                int next = sampler.next(logits);
                tokens[count++] = next;
                if (!listener.onToken(next)) {
                    stop = Stop.CANCELLED;
                    break;
                }
                if (next == endOfText) {
                    stop = Stop.END_OF_TEXT;
                    break;
                }
                if (count < room) {
                    logits = model.forward(new int[] {next}, cache, hooks, PhiModel.Logits.LAST);
                }
            }
        }
        return new Result(prompt, Arrays.copyOf(tokens, count), stop);
    }

    /**
     * Turns a growing token sequence into text pieces as they become complete: a piece ending in
     * part of a multi-byte character is held back until the character is whole.
     */
    public static final class TextStream {
        private final Function<int[], String> decode;
        private int[] ids = new int[16];
        private int size;
        private int emitted;

        public TextStream(Function<int[], String> decode) {
            this.decode = decode;
        }

        /** Adds a token; returns the text that became complete (possibly empty). */
        public String add(int id) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
            }
            ids[size++] = id;
            String text = decode.apply(Arrays.copyOf(ids, size));
            int end = text.length();
            while (end > emitted && text.charAt(end - 1) == '\uFFFD') {
                end--;
            }
            String piece = end > emitted ? text.substring(emitted, end) : "";
            emitted = Math.max(emitted, end);
            return piece;
        }

        /** Whatever is left, replacement characters included, once the stream has ended. */
        public String finish() {
            String text = decode.apply(Arrays.copyOf(ids, size));
            String rest = text.length() > emitted ? text.substring(emitted) : "";
            emitted = text.length();
            return rest;
        }
    }
}

package phiscope.benchmarks.compare;

import java.util.function.DoubleSupplier;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.model.KVCache;
import phiscope.engine.model.PhiModel;

/** One decode step per call: a token through the KV cache, which starts over every {@link #CONTEXT} tokens. */
public final class DecodeWorkload implements DoubleSupplier {

    private static final int CONTEXT = 128;

    private final PhiModel model;
    private KVCache cache;
    private int position;

    /** {@code MODEL_DIR WEIGHTS THREADS}. */
    public DecodeWorkload(String[] args) {
        if (args.length != 3) {
            throw new IllegalArgumentException("decode takes MODEL_DIR WEIGHTS THREADS");
        }
        model = PromptWorkload.load(args[0], args[1], args[2]);
    }

    @Override
    public double getAsDouble() {
        if (cache == null || position == CONTEXT) {
            if (cache != null) {
                cache.close();
            }
            cache = model.newCache(CONTEXT);
            position = 0;
        }
        int token = (position * 7919 + 11) % model.config().vocabSize();
        long start = System.nanoTime();
        // An empty registry, not the no-hook overload, so that baselines from before that overload still link.
        model.forward(new int[] {token}, cache, new Hooks(model.config()), PhiModel.Logits.LAST);
        position++;
        return (System.nanoTime() - start) / 1e9;
    }
}

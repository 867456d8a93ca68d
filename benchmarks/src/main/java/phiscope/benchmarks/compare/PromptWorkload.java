package phiscope.benchmarks.compare;

import java.nio.file.Path;
import java.util.function.DoubleSupplier;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.model.PhiModel;
import phiscope.engine.model.WeightOptions;

/** One forward pass over a prompt per call, logits of its last token only, as {@code bench} times prompts. */
public final class PromptWorkload implements DoubleSupplier {

    private final PhiModel model;
    private final int[] tokens;

    /** {@code MODEL_DIR WEIGHTS THREADS TOKENS}. */
    public PromptWorkload(String[] args) {
        if (args.length != 4) {
            throw new IllegalArgumentException("prompt takes MODEL_DIR WEIGHTS THREADS TOKENS");
        }
        model = load(args[0], args[1], args[2]);
        tokens = new int[Workloads.positive(args[3], "TOKENS")];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (i * 7919 + 11) % model.config().vocabSize();
        }
    }

    /** The model in {@code directory} with its weights as stored, or quantized to {@code q8_0} or {@code q4_0}. */
    static PhiModel load(String directory, String weights, String threads) {
        WeightOptions options = weights.equals("stored") ? WeightOptions.DEFAULT
                : WeightOptions.quantized(Workloads.format(weights));
        return PhiModel.load(Path.of(directory), Workloads.positive(threads, "THREADS"), options);
    }

    @Override
    public double getAsDouble() {
        long start = System.nanoTime();
        // An empty registry, not the no-hook overload, so that baselines from before that overload still link.
        model.forward(tokens, new Hooks(model.config()), PhiModel.Logits.LAST);
        return (System.nanoTime() - start) / 1e9;
    }
}

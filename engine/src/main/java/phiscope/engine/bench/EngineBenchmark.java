package phiscope.engine.bench;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.model.KVCache;
import phiscope.engine.model.PhiConfig;
import phiscope.engine.model.PhiModel;
import phiscope.engine.model.WeightOptions;
import phiscope.engine.tensor.WeightMatrix;

/**
 * The engine's speed on one model, measured the way llama.cpp's {@code llama-bench} does: the
 * time to load, prompt processing of {@code n} random tokens in one pass (logits of the last
 * only), and decoding {@code n} tokens one at a time through the KV cache; each repeated, with
 * median and spread. The machine's limits are measured in the same run, so every speed is also
 * a fraction of what the machine allows: prompt GFLOP/s over the FMA peak, decode weight bytes
 * per second over the read bandwidth.
 */
public final class EngineBenchmark {

    /**
     * @param promptLengths tokens per prompt-processing test
     * @param decodeTokens  tokens decoded one by one in the decode test
     * @param repetitions   measured runs of each test (after a warm-up that lasts until the speed is steady)
     * @param scoreTexts    texts of {@code scoreLength} random tokens to score as the audits do
     *                      (packed {@link PhiModel#SCORING_PACK_TOKENS} tokens to a pass); 0: no scoring test
     * @param hookOverhead  also time the longest prompt with idle hooks on every cheap hook point
     *                      and with {@code blocks.*.hook_resid_post} captured
     */
    public record Settings(List<Integer> promptLengths, int decodeTokens, int scoreTexts, int scoreLength, int repetitions,
                           boolean hookOverhead) {

        public Settings {
            promptLengths = List.copyOf(promptLengths);
            if (promptLengths.isEmpty() && decodeTokens == 0 && scoreTexts == 0) {
                throw new IllegalArgumentException("nothing to measure: no prompt lengths, decode tokens or texts to score");
            }
            if (scoreTexts < 0) {
                throw new IllegalArgumentException("--score takes a number of texts, 0 or more, not " + scoreTexts);
            }
            if (scoreLength < 2) {
                throw new IllegalArgumentException("--score-length must be at least 2 tokens (a text's first token is not"
                        + " scored), not " + scoreLength);
            }
            if (repetitions < 1) {
                throw new IllegalArgumentException("--repetitions must be at least 1, not " + repetitions);
            }
            for (int n : promptLengths) {
                if (n < 1) {
                    throw new IllegalArgumentException("prompt lengths must be at least 1 token, not " + n);
                }
            }
            if (decodeTokens < 0) {
                throw new IllegalArgumentException("decode tokens must be at least 0, not " + decodeTokens);
            }
        }
    }

    /** Time with hooks over time without, for the longest prompt: medians of the ratios within each repetition. */
    public record HookOverhead(int promptTokens, double idleHooks, double residPostCapture) {
    }

    /**
     * @param streamedBytes      weight bytes one decode step reads (every block matrix and the unembedding)
     * @param blockFlopsPerToken float operations per token in the blocks' matrix products (2 per weight)
     * @param unembeddingFlops   float operations of one row of logits (2 per unembedding weight)
     */
    public record Result(String model, String format, String weights, int threads, double loadSeconds,
                         Map<Integer, Stats> promptTokensPerSecond, int decodeTokens, Stats decodeTokensPerSecond,
                         int scoreTexts, int scoreLength, Stats scoredTokensPerSecond,
                         HookOverhead hookOverhead, long peakRssBytes, long streamedBytes, double blockFlopsPerToken,
                         double unembeddingFlops, MachineLimits limits) {

        /** The matrix products' speed on a prompt of {@code tokens}: every token through the blocks, the last one unembedded. */
        public double promptFlopsPerSecond(int tokens) {
            return promptTokensPerSecond.get(tokens).median() * (blockFlopsPerToken + unembeddingFlops / tokens);
        }

        public double promptFractionOfPeak(int tokens) {
            return promptFlopsPerSecond(tokens) / limits.fmaFlopsPerSecond();
        }

        /** Scoring's speed: every token through the blocks, all but each text's last unembedded. */
        public double scoreFlopsPerSecond() {
            return scoredTokensPerSecond.median() * (blockFlopsPerToken + unembeddingFlops * (scoreLength - 1) / scoreLength);
        }

        public double decodeFractionOfBandwidth() {
            return decodeTokensPerSecond.median() * streamedBytes / limits.bandwidthBytesPerSecond();
        }

        /** Decoding's weight bytes per second over a plain read of the same weights where they lie. */
        public double decodeFractionOfWeightsRead() {
            return decodeTokensPerSecond.median() * streamedBytes / limits.weightsReadBytesPerSecond();
        }
    }

    private final SplittableRandom random = new SplittableRandom(2024);
    private final Consumer<String> progress;

    /** @param progress told what is being measured, one line at a time */
    public EngineBenchmark(Consumer<String> progress) {
        this.progress = progress;
    }

    public Result run(Path directory, WeightOptions options, int threads, Settings settings) {
        progress.accept("loading " + directory + " (weights: " + options.label() + ")");
        long start = System.nanoTime();
        try (PhiModel model = PhiModel.load(directory, threads, options)) {
            double loadSeconds = (System.nanoTime() - start) / 1e9;
            PhiConfig config = model.config();
            for (int n : settings.promptLengths()) {
                if (n > config.maxPositions()) {
                    throw new IllegalArgumentException("a prompt of " + n + " tokens does not fit the model's context of "
                            + config.maxPositions());
                }
            }
            if (settings.decodeTokens() + 1 > config.maxPositions()) {
                throw new IllegalArgumentException(settings.decodeTokens() + " decode tokens do not fit the model's context of "
                        + config.maxPositions());
            }
            Map<Integer, Stats> prompts = new LinkedHashMap<>();
            for (int n : settings.promptLengths()) {
                prompts.put(n, repeat(settings.repetitions(), "prompt " + n, () -> n / timePrompt(model, n, model.newHooks())));
            }
            Stats decode = settings.decodeTokens() == 0 ? null : repeat(settings.repetitions(),
                    "decode " + settings.decodeTokens(), () -> settings.decodeTokens() / timeDecode(model, settings.decodeTokens()));
            int scoredTokens = settings.scoreTexts() * settings.scoreLength();
            Stats scoring = settings.scoreTexts() == 0 ? null : repeat(settings.repetitions(),
                    "score " + settings.scoreTexts() + " texts of " + settings.scoreLength() + " tokens",
                    () -> scoredTokens / timeScoring(model, settings.scoreTexts(), settings.scoreLength()));
            HookOverhead overhead = settings.hookOverhead() && !settings.promptLengths().isEmpty()
                    ? hookOverhead(model, settings.promptLengths().stream().mapToInt(Integer::intValue).max().orElseThrow(),
                            settings.repetitions())
                    : null;
            // Read before the machine probe, whose 1 GB buffer would count too.
            long peakRss = PeakMemory.residentBytes();
            MachineLimits limits = probe(model, threads, settings);
            return new Result(directory.getFileName().toString(), model.weights().format().label(),
                    options.storage().label(), threads, loadSeconds, prompts, settings.decodeTokens(), decode,
                    settings.scoreTexts(), settings.scoreLength(), scoring, overhead,
                    peakRss, model.weights().streamedBytes(), 2.0 * blockWeights(model), 2.0 * unembeddingWeights(model), limits);
        }
    }

    private static double unembeddingWeights(PhiModel model) {
        return (double) model.weights().lmHead().weight().rows() * model.weights().lmHead().weight().cols();
    }

    private MachineLimits probe(PhiModel model, int threads, Settings settings) {
        progress.accept("measuring this machine's read bandwidth, its read of the weights and its FMA peak on " + threads
                + " thread(s)");
        List<MemorySegment> weights = model.weights().streamedMatrices().stream().map(WeightMatrix::data).toList();
        return MachineLimits.measure(threads, Math.max(5, settings.repetitions()), weights);
    }

    /** Weights each token is multiplied by in the blocks. */
    private static double blockWeights(PhiModel model) {
        double count = 0;
        for (var block : model.weights().blocks()) {
            for (var linear : block.linears()) {
                count += (double) linear.weight().rows() * linear.weight().cols();
            }
        }
        return count;
    }

    private interface Measurement {
        double value();
    }

    /**
     * Warm-up goes in rounds of runs lasting at least {@link #WARM_UP_ROUND_NANOS} (at least one
     * run each), until a round's best is within {@link #STEADY} of the round before and
     * {@link #WARM_UP_NANOS} have passed: on a small model C2 is still compiling seconds in, and
     * a fixed warm-up measured the compiler. A model whose single run outlasts
     * {@link #MAX_WARM_UP_NANOS} (a Phi-2 prompt, compiled ahead by JitWarmUp) warms up once.
     */
    private static final long WARM_UP_ROUND_NANOS = 1_000_000_000L;
    private static final long WARM_UP_NANOS = 2_000_000_000L;
    private static final long MAX_WARM_UP_NANOS = 15_000_000_000L;
    private static final double STEADY = 0.05;

    private Stats repeat(int repetitions, String what, Measurement measurement) {
        progress.accept(what + ": warm-up");
        long warmUpStart = System.nanoTime();
        double previous = Double.NaN;
        for (;;) {
            double best = 0;
            long roundStart = System.nanoTime();
            do {
                best = Math.max(best, measurement.value());
            } while (System.nanoTime() - roundStart < WARM_UP_ROUND_NANOS);
            long elapsed = System.nanoTime() - warmUpStart;
            boolean steady = Math.abs(best - previous) <= STEADY * previous;
            if (elapsed >= MAX_WARM_UP_NANOS || elapsed >= WARM_UP_NANOS && steady) {
                break;
            }
            previous = best;
        }
        double[] values = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
            values[i] = measurement.value();
            progress.accept(String.format("%s: run %d/%d, %.2f tokens/s", what, i + 1, repetitions, values[i]));
        }
        return Stats.of(values);
    }

    private int[] randomTokens(PhiModel model, int n) {
        int vocabulary = Math.min(model.config().vocabSize(), 50295);
        return random.ints(n, 0, vocabulary).toArray();
    }

    /** Seconds for one forward pass over {@code n} random tokens, logits of the last one only. */
    private double timePrompt(PhiModel model, int n, Hooks hooks) {
        int[] tokens = randomTokens(model, n);
        long start = System.nanoTime();
        model.forward(tokens, hooks, PhiModel.Logits.LAST);
        return (System.nanoTime() - start) / 1e9;
    }

    /** Seconds for {@code n} single-token steps through the KV cache after a one-token start. */
    private double timeDecode(PhiModel model, int n) {
        int[] tokens = randomTokens(model, n + 1);
        try (KVCache cache = model.newCache(n + 1)) {
            model.forward(new int[] {tokens[0]}, cache, PhiModel.Logits.LAST);
            long start = System.nanoTime();
            for (int i = 1; i <= n; i++) {
                model.forward(new int[] {tokens[i]}, cache, PhiModel.Logits.LAST);
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /** Seconds to score {@code texts} random texts of {@code length} tokens, packed as the audits pack them. */
    private double timeScoring(PhiModel model, int texts, int length) {
        List<int[]> sequences = new ArrayList<>();
        for (int i = 0; i < texts; i++) {
            sequences.add(randomTokens(model, length));
        }
        long start = System.nanoTime();
        model.tokenLogProbs(sequences);
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * The longest prompt three ways, interleaved run by run so that drift hits all alike: no
     * hooks, a do-nothing read hook on every hook point that needs no extra computation, and
     * {@code blocks.*.hook_resid_post} captured into an activation cache.
     */
    private HookOverhead hookOverhead(PhiModel model, int n, int repetitions) {
        Hooks idle = model.newHooks();
        for (HookPoint point : HookPoint.all(model.config())) {
            if (point.site() != HookSite.ATTN_SCORES && point.site() != HookSite.PATTERN && point.site() != HookSite.RESULT) {
                idle.add(point, activation -> { });
            }
        }
        // Ratios within each repetition, whose three passes run back to back (this VM's speed
        // drifts more between minutes than between neighbouring passes), in an order that
        // rotates, so that no variant always runs first.
        List<Double> idleRatios = new ArrayList<>();
        List<Double> captureRatios = new ArrayList<>();
        timePrompt(model, n, idle);
        List<DoubleSupplier> variants = List.of(
                () -> timePrompt(model, n, model.newHooks()),
                () -> timePrompt(model, n, idle),
                () -> {
                    Hooks capture = model.newHooks();
                    try (ActivationCache cache = ActivationCache.capture(capture, "blocks.*.hook_resid_post")) {
                        return timePrompt(model, n, capture);
                    }
                });
        for (int i = 0; i < repetitions; i++) {
            double[] seconds = new double[variants.size()];
            for (int v = 0; v < variants.size(); v++) {
                int variant = (i + v) % variants.size();
                seconds[variant] = variants.get(variant).getAsDouble();
            }
            idleRatios.add(seconds[1] / seconds[0]);
            captureRatios.add(seconds[2] / seconds[0]);
            progress.accept(String.format("hook overhead, prompt %d: run %d/%d", n, i + 1, repetitions));
        }
        return new HookOverhead(n, new Stats(idleRatios).median(), new Stats(captureRatios).median());
    }
}

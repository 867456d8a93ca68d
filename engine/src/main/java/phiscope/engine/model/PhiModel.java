package phiscope.engine.model;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.hooks.ModelEdit;
import phiscope.engine.io.Checkpoint;
import phiscope.engine.tensor.Ops;
import phiscope.engine.tensor.VectorMath;
import phiscope.engine.tensor.WeightMatrix;
import phiscope.engine.tensor.WeightMemory;
import phiscope.engine.tensor.WorkerPool;

/**
 * Phi (Phi-2's architecture) on the CPU, in float32 arithmetic over weights kept in their file
 * dtype, with a hook at every TransformerLens hook point. Each block is the parallel block
 * {@code x + attn(ln(x)) + mlp(ln(x))} with one LayerNorm.
 */
public final class PhiModel implements AutoCloseable {

    /** Which rows of logits a forward pass computes. */
    public enum Logits { ALL, LAST, NONE }

    /** Tokens per packed scoring pass: many short texts share one decode of each weight panel. */
    public static final int SCORING_PACK_TOKENS = 1024;

    /** Tokens per pass of a long prompt that no hook listens to (see {@link #forward}). */
    public static final int PREFILL_CHUNK = 256;

    /**
     * Rows per pass over {@code lm_head} in {@link #unembed}: one decode of each weight panel
     * serves them all, and the logits buffer stays at 64 rows (13 MB for Phi-2's vocabulary).
     */
    public static final int UNEMBED_ROWS = 64;

    /** Receives the logits of one row of {@link #unembed}. */
    @FunctionalInterface
    public interface LogitRow {
        /** Row {@code row}'s {@code V} logits are {@code logits[offset .. offset + V)}; the buffer is reused after the call. */
        void accept(int row, float[] logits, int offset);
    }

    private final PhiConfig config;
    private final PhiWeights weights;
    private final WeightOptions weightOptions;
    private final Checkpoint checkpoint;
    private final WeightMemory memory;
    private final WorkerPool pool;
    private final Attention attention;
    /** Registered first on every registry {@link #newHooks} hands out; null for the model as loaded. */
    private final ModelEdit edit;

    private PhiModel(PhiConfig config, PhiWeights weights, WeightOptions weightOptions, Checkpoint checkpoint,
                     WeightMemory memory, WorkerPool pool, ModelEdit edit) {
        this.config = config;
        this.weights = weights;
        this.weightOptions = weightOptions;
        this.checkpoint = checkpoint;
        this.memory = memory;
        this.pool = pool;
        this.attention = new Attention(config, pool);
        this.edit = edit;
    }

    /** Loads {@code config.json} and the safetensors weights of a model directory, held as {@link WeightOptions#DEFAULT}. */
    public static PhiModel load(Path directory, int threads) {
        return load(directory, threads, WeightOptions.DEFAULT);
    }

    /**
     * Loads {@code config.json} and the safetensors weights of a model directory, held as
     * {@code options} say; for a large model, warms the JIT up first ({@link JitWarmUp}).
     */
    public static PhiModel load(Path directory, int threads, WeightOptions options) {
        PhiConfig config = PhiConfig.load(directory);
        Checkpoint checkpoint = Checkpoint.open(directory);
        WeightMemory memory = new WeightMemory();
        WorkerPool pool = new WorkerPool(threads);
        try {
            PhiWeights weights = PhiWeights.load(checkpoint, config, options, memory, pool);
            if (weights.streamedBytes() >= JitWarmUp.ABOVE_BYTES) {
                JitWarmUp.run(options, threads);
            }
            return new PhiModel(config, weights, options, checkpoint, memory, pool, null);
        } catch (RuntimeException e) {
            pool.close();
            memory.close();
            checkpoint.close();
            throw e;
        }
    }

    public PhiConfig config() {
        return config;
    }

    public PhiWeights weights() {
        return weights;
    }

    public WorkerPool pool() {
        return pool;
    }

    public WeightOptions weightOptions() {
        return weightOptions;
    }

    public Path directory() {
        return checkpoint.directory();
    }

    /** A fingerprint of the weights' content (see {@link Checkpoint#fingerprint()}). */
    public String fingerprint() {
        return checkpoint.fingerprint();
    }

    /**
     * This model with {@code edit} made to it: the same weights, threads and memory, and every
     * registry from {@link #newHooks} starting with the edit's hooks. The two share their
     * resources, so close only the one still in use (the edited one, typically).
     */
    public PhiModel edited(ModelEdit edit) {
        if (this.edit != null) {
            throw new IllegalStateException("this model is edited already; combine the edits into one");
        }
        return new PhiModel(config, weights, weightOptions, checkpoint, memory, pool, edit);
    }

    /**
     * A new hook registry for this model's hook points, empty but for the model's edit, if it has
     * one; pass it to one forward pass or generation.
     */
    public Hooks newHooks() {
        Hooks hooks = new Hooks(config);
        if (edit != null) {
            edit.register(hooks);
        }
        return hooks;
    }

    /** A KV cache for {@code capacity} positions; close it when done to free its memory. */
    public KVCache newCache(int capacity) {
        return new KVCache(config, capacity);
    }

    /**
     * Runs {@code tokens} as the continuation of what {@code cache} holds and appends them to it.
     * With no hook registered, a prompt longer than {@link #PREFILL_CHUNK} runs in chunks of that
     * many tokens, so that its activations stay small (31 MB per chunk for Phi-2, not 250 MB for
     * 2048 tokens); the numbers are the same bits, as every row's are whatever shares its pass.
     * With hooks, the prompt runs in one pass, and each hook point sees all of it.
     *
     * @return logits {@code [T, V]} for {@link Logits#ALL}, {@code [V]} for {@link Logits#LAST}, empty for NONE
     */
    public float[] forward(int[] tokens, KVCache cache, Hooks hooks, Logits logits) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("nothing to run: no tokens");
        }
        if (cache.length() + tokens.length > cache.capacity()) {
            throw new IllegalArgumentException(tooLong(cache.length() + tokens.length, cache.capacity()));
        }
        if (!hooks.isEmpty() || tokens.length <= PREFILL_CHUNK) {
            return continueWith(tokens, cache, hooks, logits);
        }
        int vocab = config.vocabSize();
        float[] all = logits == Logits.ALL ? new float[tokens.length * vocab] : null;
        float[] last = new float[0];
        for (int from = 0; from < tokens.length; from += PREFILL_CHUNK) {
            int to = Math.min(tokens.length, from + PREFILL_CHUNK);
            Logits wanted = logits == Logits.ALL || to == tokens.length ? logits : Logits.NONE;
            float[] out = continueWith(Arrays.copyOfRange(tokens, from, to), cache, hooks, wanted);
            if (all != null) {
                System.arraycopy(out, 0, all, from * vocab, out.length);
            } else {
                last = out;
            }
        }
        return all != null ? all : last;
    }

    /** {@link #forward(int[], KVCache, Hooks, Logits)} with no hook. */
    public float[] forward(int[] tokens, KVCache cache, Logits logits) {
        return forward(tokens, cache, newHooks(), logits);
    }

    /** {@link #forward} in one pass. */
    private float[] continueWith(int[] tokens, KVCache cache, Hooks hooks, Logits logits) {
        int start = cache.length();
        int[] positions = new int[tokens.length];
        int[] keyStarts = new int[tokens.length];
        for (int t = 0; t < tokens.length; t++) {
            positions[t] = start + t;
        }
        float[] out = run(tokens, new Pass(config, hooks, start, positions, keyStarts), cache, logits);
        return logits == Logits.NONE ? new float[0] : out;
    }

    /**
     * Runs {@code tokens} from the start of a sequence, in one pass: with no later pass to serve,
     * the blocks share one block's worth of keys and values ({@link KVCache#forOnePass}), which
     * keeps a 2048-token Phi-2 prompt at 42 MB of them rather than 1.3 GB.
     */
    public float[] forward(int[] tokens, Hooks hooks, Logits logits) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("nothing to run: no tokens");
        }
        requireFitsContext(tokens.length);
        try (KVCache cache = KVCache.forOnePass(config, tokens.length)) {
            return continueWith(tokens, cache, hooks, logits);
        }
    }

    /** {@link #forward(int[], Hooks, Logits)} with no hook. */
    public float[] forward(int[] tokens, Logits logits) {
        return forward(tokens, newHooks(), logits);
    }

    private String tooLong(int tokens, int limit) {
        return tokens + " tokens do not fit: the limit is " + limit + " (the model's context is "
                + config.maxPositions() + " tokens)";
    }

    /** An error when a sequence of {@code tokens} does not fit the model's context. */
    void requireFitsContext(int tokens) {
        if (tokens > config.maxPositions()) {
            throw new IllegalArgumentException(tooLong(tokens, config.maxPositions()));
        }
    }

    /** {@link #tokenLogProbs(List, int)} in passes of {@link #SCORING_PACK_TOKENS}. */
    public List<float[]> tokenLogProbs(List<int[]> sequences) {
        return tokenLogProbs(sequences, SCORING_PACK_TOKENS);
    }

    /** The log-probabilities of {@link #scoreTokens(List, int)}. */
    public List<float[]> tokenLogProbs(List<int[]> sequences, int packTokens) {
        return scoreTokens(sequences, packTokens).stream().map(ScoredTokens::logProbs).toList();
    }

    /** {@link #scoreTokens(List, int)} in passes of {@link #SCORING_PACK_TOKENS}. */
    public List<ScoredTokens> scoreTokens(List<int[]> sequences) {
        return scoreTokens(sequences, SCORING_PACK_TOKENS);
    }

    /**
     * Natural-log probability of each token given the ones before it, and whether it is the
     * greedy choice, for every sequence (one entry per token after the first), packed into shared
     * passes of at most {@code packTokens} tokens ({@link PackedScoring}); a sequence's numbers do
     * not depend on what it was packed with.
     */
    public List<ScoredTokens> scoreTokens(List<int[]> sequences, int packTokens) {
        return new PackedScoring(this).scoreTokens(sequences, packTokens);
    }

    /** The final-normalized rows ({@code ln_final}'s output) of a pass with no hook, for {@link PackedScoring}. */
    float[] finalNormalized(int[] tokens, int[] positions, int[] keyStarts, KVCache cache) {
        return run(tokens, new Pass(config, newHooks(), cache.length(), positions, keyStarts), cache, Logits.NONE);
    }

    /**
     * The unembedding, {@code lm_head(x)} with its bias, of {@code rows} final-normalized rows
     * ({@code ln_final}'s output, {@code [rows, D]} from {@code normalized[offset]}), a chunk of
     * {@link #UNEMBED_ROWS} at a time: {@code each} sees every row's logits in turn. The logit
     * lens, the workbench's predictions and packed scoring all read logits through here.
     */
    public void unembed(float[] normalized, int offset, int rows, LogitRow each) {
        int d = config.hiddenSize();
        int vocab = config.vocabSize();
        if (offset < 0 || rows < 0 || offset + (long) rows * d > normalized.length) {
            throw new IllegalArgumentException(rows + " rows of " + d + " from index " + offset + " do not fit in "
                    + normalized.length + " floats");
        }
        float[] logits = new float[Math.min(UNEMBED_ROWS, rows) * vocab];
        for (int first = 0; first < rows; first += UNEMBED_ROWS) {
            int count = Math.min(UNEMBED_ROWS, rows - first);
            float[] x = Arrays.copyOfRange(normalized, offset + first * d, offset + (first + count) * d);
            weights.lmHead().forward(pool, x, count, logits);
            for (int r = 0; r < count; r++) {
                each.accept(first + r, logits, r * vocab);
            }
        }
    }

    /**
     * The forward pass over the rows of {@code pass}, which are stored in {@code cache} from
     * index {@code cache.length()}. With {@link Logits#NONE} it returns the final-normalized rows
     * instead of logits.
     */
    private float[] run(int[] tokens, Pass pass, KVCache cache, Logits logits) {
        int rows = tokens.length;
        int d = config.hiddenSize();

        float[] x = new float[rows * d];
        embed(tokens, x);
        pass.fire(HookSite.EMBED, -1, x);

        float[] h = new float[rows * d];
        Attention.Buffers attentionBuffers = Attention.Buffers.forRows(rows, d);
        float[] attnOut = new float[rows * d];
        float[] neurons = new float[rows * config.intermediateSize()];
        float[] mlpOut = new float[rows * d];

        for (int b = 0; b < config.numLayers(); b++) {
            PhiWeights.Block block = weights.blocks().get(b);
            pass.fire(HookSite.RESID_PRE, b, x);
            block.norm().apply(x, rows, h);
            pass.fire(HookSite.LN1_NORMALIZED, b, h);

            attention.forward(b, block, h, cache, pass, attentionBuffers, attnOut);
            mlp(b, block, h, pass, neurons, mlpOut);

            // transformers adds attn + mlp first, then the residual: keep its rounding.
            Ops.addInPlace(attnOut, 0, mlpOut, 0, rows * d);
            Ops.addInPlace(x, 0, attnOut, 0, rows * d);
            pass.fire(HookSite.RESID_POST, b, x);
        }
        cache.advance(rows);

        weights.finalNorm().apply(x, rows, h);
        pass.fire(HookSite.LN_FINAL, -1, h);
        return switch (logits) {
            case NONE -> h;
            case ALL -> logits(h, rows, 0, pass);
            case LAST -> logits(h, 1, rows - 1, pass);
        };
    }

    /** {@code out = fc2(gelu_new(fc1(h)))} for block {@code b}; {@code neurons} holds {@code [T, M]}. */
    private void mlp(int b, PhiWeights.Block block, float[] h, Pass pass, float[] neurons, float[] out) {
        int rows = pass.rows();
        block.fc1().forward(pool, h, rows, neurons);
        pass.fire(HookSite.MLP_PRE, b, neurons);
        int m = config.intermediateSize();
        pool.forEachRange(rows, (from, to) -> VectorMath.gelu(neurons, from * m, (to - from) * m));
        pass.fire(HookSite.MLP_POST, b, neurons);
        block.fc2().forward(pool, neurons, rows, out);
        pass.fire(HookSite.MLP_OUT, b, out);
    }

    /** The logits {@code [rows, V]} of the final-normalized rows from {@code firstRow}, offered to {@code unembed.hook_logits}. */
    private float[] logits(float[] normalized, int rows, int firstRow, Pass pass) {
        int d = config.hiddenSize();
        float[] x = firstRow == 0 && rows * d == normalized.length
                ? normalized : Arrays.copyOfRange(normalized, firstRow * d, (firstRow + rows) * d);
        float[] logits = new float[rows * config.vocabSize()];
        weights.lmHead().forward(pool, x, rows, logits);
        pass.fireRows(HookSite.LOGITS, logits, rows, firstRow);
        return logits;
    }

    private void embed(int[] tokens, float[] x) {
        WeightMatrix embedding = weights.embedding();
        for (int t = 0; t < tokens.length; t++) {
            int id = tokens[t];
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " at index " + t + " is outside the vocabulary (0.."
                        + (config.vocabSize() - 1) + ")");
            }
            embedding.decodeRows(id, 1, x, t * config.hiddenSize());
        }
    }

    @Override
    public void close() {
        pool.close();
        memory.close();
        checkpoint.close();
    }
}

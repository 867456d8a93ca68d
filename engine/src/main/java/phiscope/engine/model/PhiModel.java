package phiscope.engine.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import phiscope.engine.hooks.Activation;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.io.Checkpoint;
import phiscope.engine.tensor.Linear;
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

    private final PhiConfig config;
    private final PhiWeights weights;
    private final WeightOptions weightOptions;
    private final Checkpoint checkpoint;
    private final WeightMemory memory;
    private final WorkerPool pool;
    private final Rotary rotary;
    private final float attentionScale;

    private PhiModel(PhiConfig config, PhiWeights weights, WeightOptions weightOptions, Checkpoint checkpoint,
                     WeightMemory memory, WorkerPool pool) {
        this.config = config;
        this.weights = weights;
        this.weightOptions = weightOptions;
        this.checkpoint = checkpoint;
        this.memory = memory;
        this.pool = pool;
        this.rotary = new Rotary(config);
        // transformers scales by head_dim ** -0.5, a double rounded to float32 when applied.
        this.attentionScale = (float) Math.pow(config.headDim(), -0.5);
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
            return new PhiModel(config, weights, options, checkpoint, memory, pool);
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

    /** A new, empty hook registry for this model's hook points; pass it to one forward pass or generation. */
    public Hooks newHooks() {
        return new Hooks(config);
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
        float[] out = run(tokens, positions, keyStarts, cache, hooks, logits);
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
        if (tokens.length > config.maxPositions()) {
            throw new IllegalArgumentException(tooLong(tokens.length, config.maxPositions()));
        }
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

    /** {@link #tokenLogProbs(List, int)} in passes of {@link #SCORING_PACK_TOKENS}. */
    public List<float[]> tokenLogProbs(List<int[]> sequences) {
        return tokenLogProbs(sequences, SCORING_PACK_TOKENS);
    }

    /**
     * Natural-log probability of each token given the ones before it, for every sequence (array
     * {@code i} has one entry per token after the first). The sequences are packed into shared
     * forward passes of at most {@code packTokens} tokens, each attending only within itself; a
     * sequence's numbers do not depend on what it was packed with.
     */
    public List<float[]> tokenLogProbs(List<int[]> sequences, int packTokens) {
        List<float[]> results = new ArrayList<>(sequences.size());
        int i = 0;
        while (i < sequences.size()) {
            int total = 0;
            int end = i;
            while (end < sequences.size() && (end == i || total + sequences.get(end).length <= packTokens)) {
                total += sequences.get(end).length;
                end++;
            }
            results.addAll(scorePack(sequences.subList(i, end), total));
            i = end;
        }
        return results;
    }

    private List<float[]> scorePack(List<int[]> pack, int total) {
        int[] tokens = new int[total];
        int[] positions = new int[total];
        int[] keyStarts = new int[total];
        int row = 0;
        for (int[] sequence : pack) {
            if (sequence.length > config.maxPositions()) {
                throw new IllegalArgumentException(tooLong(sequence.length, config.maxPositions()));
            }
            for (int p = 0; p < sequence.length; p++, row++) {
                tokens[row] = sequence[p];
                positions[row] = p;
                keyStarts[row] = row - p;
            }
        }
        try (KVCache cache = KVCache.forOnePass(config, total)) {
            float[] normalized = run(tokens, positions, keyStarts, cache, new Hooks(config), Logits.NONE);
            return logProbsOfNext(normalized, pack);
        }
    }

    /** Unembeds the final-normalized rows a few at a time, keeping only log p(next token). */
    private List<float[]> logProbsOfNext(float[] normalized, List<int[]> pack) {
        int d = config.hiddenSize();
        int vocab = config.vocabSize();
        int chunk = 64;
        float[] logits = new float[chunk * vocab];
        List<float[]> results = new ArrayList<>();
        int row = 0;
        for (int[] sequence : pack) {
            float[] logProbs = new float[Math.max(0, sequence.length - 1)];
            for (int p = 0; p < logProbs.length; p += chunk) {
                int rows = Math.min(chunk, logProbs.length - p);
                float[] x = Arrays.copyOfRange(normalized, (row + p) * d, (row + p + rows) * d);
                weights.lmHead().forward(pool, x, rows, logits);
                for (int r = 0; r < rows; r++) {
                    int base = r * vocab;
                    logProbs[p + r] = logits[base + sequence[p + r + 1]] - Ops.logSumExp(logits, base, vocab);
                }
            }
            results.add(logProbs);
            row += sequence.length;
        }
        return results;
    }

    /**
     * The forward pass over a batch of rows: row {@code t} is token {@code tokens[t]} at rotary
     * position {@code positions[t]}, stored at cache index {@code cache.length() + t}, attending
     * to cache indices {@code keyStarts[t] .. cache.length() + t}. With {@link Logits#NONE} it returns
     * the final-normalized rows instead of logits.
     */
    private float[] run(int[] tokens, int[] positions, int[] keyStarts, KVCache cache, Hooks hooks, Logits logits) {
        int rows = tokens.length;
        int d = config.hiddenSize();
        int start = cache.length();
        Step step = new Step(hooks, rows, start + rows, positions);

        float[] x = new float[rows * d];
        embed(tokens, x);
        step.fire(HookSite.EMBED, -1, x);

        float[] h = new float[rows * d];
        float[] q = new float[rows * d];
        float[] k = new float[rows * d];
        float[] v = new float[rows * d];
        float[] z = new float[rows * d];
        float[] attnOut = new float[rows * d];
        float[] mlp = new float[rows * config.intermediateSize()];
        float[] mlpOut = new float[rows * d];

        for (int b = 0; b < config.numLayers(); b++) {
            PhiWeights.Block block = weights.blocks().get(b);
            step.fire(HookSite.RESID_PRE, b, x);

            Ops.layerNorm(x, rows, d, block.norm().weight(), block.norm().bias(), config.layerNormEps(), h);
            step.fire(HookSite.LN1_NORMALIZED, b, h);

            block.q().forward(pool, h, rows, q);
            block.k().forward(pool, h, rows, k);
            block.v().forward(pool, h, rows, v);
            step.fire(HookSite.Q, b, q);
            step.fire(HookSite.K, b, k);
            step.fire(HookSite.V, b, v);
            rotary.apply(q, rows, config.numHeads(), positions);
            rotary.apply(k, rows, config.numHeads(), positions);
            step.fire(HookSite.ROT_Q, b, q);
            step.fire(HookSite.ROT_K, b, k);
            cache.store(b, k, v, start, rows, config.numHeads());

            attend(b, q, cache, start, keyStarts, step, z);
            step.fire(HookSite.Z, b, z);
            project(b, block.dense(), z, step, attnOut);
            step.fire(HookSite.ATTN_OUT, b, attnOut);

            block.fc1().forward(pool, h, rows, mlp);
            step.fire(HookSite.MLP_PRE, b, mlp);
            gelu(mlp);
            step.fire(HookSite.MLP_POST, b, mlp);
            block.fc2().forward(pool, mlp, rows, mlpOut);
            step.fire(HookSite.MLP_OUT, b, mlpOut);

            // transformers adds attn + mlp first, then the residual: keep its rounding.
            Ops.addInPlace(attnOut, 0, mlpOut, 0, rows * d);
            Ops.addInPlace(x, 0, attnOut, 0, rows * d);
            step.fire(HookSite.RESID_POST, b, x);
        }
        cache.advance(rows);

        Ops.layerNorm(x, rows, d, weights.finalNorm().weight(), weights.finalNorm().bias(), config.layerNormEps(), h);
        step.fire(HookSite.LN_FINAL, -1, h);
        return switch (logits) {
            case NONE -> h;
            case ALL -> unembed(h, rows, 0, step);
            case LAST -> unembed(h, 1, rows - 1, step);
        };
    }

    private float[] unembed(float[] normalized, int rows, int firstRow, Step step) {
        int d = config.hiddenSize();
        float[] x = firstRow == 0 && rows * d == normalized.length
                ? normalized : Arrays.copyOfRange(normalized, firstRow * d, (firstRow + rows) * d);
        float[] logits = new float[rows * config.vocabSize()];
        weights.lmHead().forward(pool, x, rows, logits);
        step.fireRows(HookSite.LOGITS, logits, rows, firstRow);
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

    private void gelu(float[] values) {
        int m = config.intermediateSize();
        int rows = values.length / m;
        pool.run(pool.chunksFor(rows), (chunk, chunks) -> {
            int from = WorkerPool.start(rows, chunk, chunks, 1);
            int to = WorkerPool.start(rows, chunk + 1, chunks, 1);
            VectorMath.gelu(values, from * m, (to - from) * m);
        });
    }

    /**
     * Causal softmax attention of every head. Scores and probabilities live in one row buffer per
     * (head, query) unless a hook asks for {@code hook_attn_scores} or {@code hook_pattern}; then
     * they are materialised {@code [H, T, T_k]} so the hook can read or rewrite them.
     */
    private void attend(int b, float[] q, KVCache cache, int start, int[] keyStarts, Step step, float[] z) {
        int rows = keyStarts.length;
        int heads = config.numHeads();
        int keys = start + rows;
        if (!step.hooks.has(HookSite.ATTN_SCORES, b) && !step.hooks.has(HookSite.PATTERN, b)) {
            // Four rows of one text at a time, which share every key and value vector loaded.
            int groups = (rows + 3) / 4;
            pool.run(pool.chunksFor(heads * groups), (chunk, chunks) -> {
                float[] scoreRows = scoreRows(4 * keys);
                int from = WorkerPool.start(heads * groups, chunk, chunks, 1);
                int to = WorkerPool.start(heads * groups, chunk + 1, chunks, 1);
                for (int i = from; i < to; i++) {
                    int head = i / groups;
                    int t0 = i % groups * 4;
                    int first = keyStarts[t0];
                    if (t0 + 4 <= rows && keyStarts[t0 + 1] == first && keyStarts[t0 + 2] == first && keyStarts[t0 + 3] == first) {
                        attendFour(b, q, cache, head, t0, start + t0 - first + 1, first, scoreRows, keys, z);
                        continue;
                    }
                    for (int t = t0; t < Math.min(rows, t0 + 4); t++) {
                        int count = start + t - keyStarts[t] + 1;
                        scores(b, q, cache, head, t, keyStarts[t], count, scoreRows, 0);
                        Ops.softmax(scoreRows, 0, count);
                        mix(b, cache, head, t, keyStarts[t], count, scoreRows, 0, z);
                    }
                }
            });
            return;
        }
        float[] matrix = new float[heads * rows * keys];
        int pairs = heads * rows;
        pool.run(pool.chunksFor(pairs), (chunk, chunks) -> {
            for (int i = WorkerPool.start(pairs, chunk, chunks, 1); i < WorkerPool.start(pairs, chunk + 1, chunks, 1); i++) {
                int t = i % rows;
                int first = keyStarts[t];
                int count = start + t - first + 1;
                Arrays.fill(matrix, i * keys, (i + 1) * keys, Float.NEGATIVE_INFINITY);
                scores(b, q, cache, i / rows, t, first, count, matrix, i * keys + first);
            }
        });
        step.fire(HookSite.ATTN_SCORES, b, matrix);
        pool.run(pool.chunksFor(pairs), (chunk, chunks) -> {
            for (int i = WorkerPool.start(pairs, chunk, chunks, 1); i < WorkerPool.start(pairs, chunk + 1, chunks, 1); i++) {
                int t = i % rows;
                int first = keyStarts[t];
                int count = start + t - first + 1;
                Arrays.fill(matrix, i * keys, i * keys + first, 0f);
                Ops.softmax(matrix, i * keys + first, count);
                Arrays.fill(matrix, i * keys + first + count, (i + 1) * keys, 0f);
            }
        });
        step.fire(HookSite.PATTERN, b, matrix);
        pool.run(pool.chunksFor(pairs), (chunk, chunks) -> {
            for (int i = WorkerPool.start(pairs, chunk, chunks, 1); i < WorkerPool.start(pairs, chunk + 1, chunks, 1); i++) {
                // The whole row: a hook may have moved probability anywhere among the stored keys.
                mix(b, cache, i / rows, i % rows, 0, keys, matrix, i * keys, z);
            }
        });
    }

    private static final ThreadLocal<float[]> SCORE_ROWS = ThreadLocal.withInitial(() -> new float[0]);

    /** A thread's buffer for queries' scores: at least {@code size} floats. */
    private static float[] scoreRows(int size) {
        float[] row = SCORE_ROWS.get();
        if (row.length < size) {
            row = new float[size];
            SCORE_ROWS.set(row);
        }
        return row;
    }

    /**
     * Attention of one head for the four rows {@code t0 .. t0 + 3} of one text, which see the same
     * first key: row {@code t0} sees {@code shared} keys, each later row one more. Every key and
     * value vector is loaded once for the four, and every score and output has the bits it has
     * when its row runs alone.
     */
    private void attendFour(int b, float[] q, KVCache cache, int head, int t0, int shared, int first, float[] scoreRows,
                            int rowStride, float[] z) {
        int hd = config.headDim();
        int queryStride = config.numHeads() * hd;
        int offset = (t0 * config.numHeads() + head) * hd;
        Ops.fourDotsAlongColumns(q, offset, queryStride, hd, cache.keys(b), cache.keyIndex(head, 0) + first, cache.capacity(),
                shared, attentionScale, scoreRows, 0, rowStride);
        for (int r = 0; r < 4; r++) {
            Ops.softmax(scoreRows, r * rowStride, shared + r);
        }
        Ops.fourWeightedSums(scoreRows, 0, rowStride, shared, cache.values(b), cache.valueIndex(head, first), hd,
                z, offset, queryStride, hd);
    }

    /** {@code out[outOffset + j] = q[t, head] · k[first + j, head] * scale} for {@code j < count}. */
    private void scores(int b, float[] q, KVCache cache, int head, int t, int first, int count, float[] out, int outOffset) {
        int hd = config.headDim();
        Ops.dotsAlongColumns(q, (t * config.numHeads() + head) * hd, hd, cache.keys(b), cache.keyIndex(head, 0) + first,
                cache.capacity(), count, attentionScale, out, outOffset);
    }

    /** {@code z[t, head] = sum_j p[j] v[first + j, head]}. */
    private void mix(int b, KVCache cache, int head, int t, int first, int count, float[] p, int pOffset, float[] z) {
        int hd = config.headDim();
        Ops.weightedSum(p, pOffset, count, cache.values(b), cache.valueIndex(head, first), hd,
                z, (t * config.numHeads() + head) * hd, hd);
    }

    /**
     * The attention output projection. When {@code hook_result} is hooked, each head's share
     * {@code z_h W_O[:, h]} is materialised {@code [T, H, D]}, offered to the hook, and summed.
     */
    private void project(int b, Linear dense, float[] z, Step step, float[] out) {
        if (!step.hooks.has(HookSite.RESULT, b)) {
            dense.forward(pool, z, step.rows, out);
            return;
        }
        int d = config.hiddenSize();
        int heads = config.numHeads();
        int hd = config.headDim();
        float[] wo = new float[d * d];
        dense.weight().decodeRows(0, d, wo, 0);
        float[] result = new float[step.rows * heads * d];
        for (int t = 0; t < step.rows; t++) {
            for (int head = 0; head < heads; head++) {
                int zOffset = (t * heads + head) * hd;
                int rOffset = (t * heads + head) * d;
                for (int o = 0; o < d; o++) {
                    result[rOffset + o] = Ops.dot(wo, o * d + head * hd, z, zOffset, hd);
                }
            }
        }
        step.fire(HookSite.RESULT, b, result);
        for (int t = 0; t < step.rows; t++) {
            System.arraycopy(dense.bias(), 0, out, t * d, d);
            for (int head = 0; head < heads; head++) {
                Ops.addInPlace(out, t * d, result, (t * heads + head) * d, d);
            }
        }
    }

    /** What the hook points of one forward pass need to describe their activations. */
    private final class Step {
        final Hooks hooks;
        final int rows;
        final int keys;
        final int[] positions;

        Step(Hooks hooks, int rows, int keys, int[] positions) {
            this.hooks = hooks;
            this.rows = rows;
            this.keys = keys;
            this.positions = positions;
        }

        void fire(HookSite site, int block, float[] buffer) {
            if (hooks.has(site, block)) {
                HookPoint point = new HookPoint(site, block);
                hooks.fire(new Activation(point, buffer, 0, point.shape(config, rows, keys), positions));
            }
        }

        void fireRows(HookSite site, float[] buffer, int count, int firstRow) {
            if (hooks.has(site, -1)) {
                HookPoint point = new HookPoint(site, -1);
                hooks.fire(new Activation(point, buffer, 0, point.shape(config, count, keys),
                        Arrays.copyOfRange(positions, firstRow, firstRow + count)));
            }
        }
    }

    @Override
    public void close() {
        pool.close();
        memory.close();
        checkpoint.close();
    }
}

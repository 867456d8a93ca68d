package phiscope.engine.model;

import java.util.Arrays;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.tensor.AttentionKernels;
import phiscope.engine.tensor.Linear;
import phiscope.engine.tensor.Ops;
import phiscope.engine.tensor.ThreadScratch;
import phiscope.engine.tensor.WorkerPool;

/**
 * Phi's self-attention over a {@link KVCache}: the q, k and v projections, partial rotary on q
 * and k, causal softmax attention per head in float32 (scores {@code q·k / sqrt(head_dim)}), and
 * the {@code dense} projection, with the hook points between them.
 */
final class Attention {

    /** The {@code [T, D]} activations of one pass, reused by every block. */
    record Buffers(float[] q, float[] k, float[] v, float[] z) {

        static Buffers forRows(int rows, int width) {
            return new Buffers(new float[rows * width], new float[rows * width], new float[rows * width], new float[rows * width]);
        }
    }

    private static final ThreadScratch<float[]> SCORE_ROWS = ThreadScratch.floats();

    private final PhiConfig config;
    private final WorkerPool pool;
    private final Rotary rotary;
    private final float scale;

    Attention(PhiConfig config, WorkerPool pool) {
        this.config = config;
        this.pool = pool;
        this.rotary = new Rotary(config);
        // transformers scales by head_dim ** -0.5, a double rounded to float32 when applied.
        this.scale = (float) Math.pow(config.headDim(), -0.5);
    }

    /** {@code out = dense(attend(rotary(q(h)), rotary(k(h)), v(h)))} for block {@code b}, storing this pass's keys and values in {@code cache}. */
    void forward(int b, PhiWeights.Block block, float[] h, KVCache cache, Pass pass, Buffers buffers, float[] out) {
        int rows = pass.rows();
        float[] q = buffers.q();
        float[] k = buffers.k();
        float[] v = buffers.v();
        block.q().forward(pool, h, rows, q);
        block.k().forward(pool, h, rows, k);
        block.v().forward(pool, h, rows, v);
        pass.fire(HookSite.Q, b, q);
        pass.fire(HookSite.K, b, k);
        pass.fire(HookSite.V, b, v);
        rotary.apply(q, rows, config.numHeads(), pass.positions());
        rotary.apply(k, rows, config.numHeads(), pass.positions());
        pass.fire(HookSite.ROT_Q, b, q);
        pass.fire(HookSite.ROT_K, b, k);
        cache.store(b, k, v, pass.start(), rows, config.numHeads());

        attend(b, q, cache, pass, buffers.z());
        pass.fire(HookSite.Z, b, buffers.z());
        project(b, block.dense(), buffers.z(), pass, out);
        pass.fire(HookSite.ATTN_OUT, b, out);
    }

    /**
     * Causal softmax attention of every head. Scores and probabilities live in one row buffer per
     * (head, query) unless a hook asks for {@code hook_attn_scores} or {@code hook_pattern}; then
     * they are materialised {@code [H, T, T_k]} so the hook can read or rewrite them.
     */
    private void attend(int b, float[] q, KVCache cache, Pass pass, float[] z) {
        int rows = pass.rows();
        int start = pass.start();
        int[] keyStarts = pass.keyStarts();
        int heads = config.numHeads();
        int keys = pass.keys();
        if (!pass.hooked(HookSite.ATTN_SCORES, b) && !pass.hooked(HookSite.PATTERN, b)) {
            // Four rows of one text at a time, which share every key and value vector loaded.
            int groups = (rows + 3) / 4;
            pool.forEachRange(heads * groups, (from, to) -> {
                float[] scoreRows = SCORE_ROWS.atLeast(4 * keys);
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
        pool.forEachRange(pairs, (from, to) -> {
            for (int i = from; i < to; i++) {
                int t = i % rows;
                int first = keyStarts[t];
                int count = start + t - first + 1;
                Arrays.fill(matrix, i * keys, (i + 1) * keys, Float.NEGATIVE_INFINITY);
                scores(b, q, cache, i / rows, t, first, count, matrix, i * keys + first);
            }
        });
        pass.fire(HookSite.ATTN_SCORES, b, matrix);
        pool.forEachRange(pairs, (from, to) -> {
            for (int i = from; i < to; i++) {
                int t = i % rows;
                int first = keyStarts[t];
                int count = start + t - first + 1;
                Arrays.fill(matrix, i * keys, i * keys + first, 0f);
                Ops.softmax(matrix, i * keys + first, count);
                Arrays.fill(matrix, i * keys + first + count, (i + 1) * keys, 0f);
            }
        });
        pass.fire(HookSite.PATTERN, b, matrix);
        pool.forEachRange(pairs, (from, to) -> {
            for (int i = from; i < to; i++) {
                // The whole row: a hook may have moved probability anywhere among the stored keys.
                mix(b, cache, i / rows, i % rows, 0, keys, matrix, i * keys, z);
            }
        });
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
        AttentionKernels.fourDotsAlongColumns(q, offset, queryStride, hd, cache.keys(b), cache.keyIndex(head, 0) + first,
                cache.capacity(), shared, scale, scoreRows, 0, rowStride);
        for (int r = 0; r < 4; r++) {
            Ops.softmax(scoreRows, r * rowStride, shared + r);
        }
        AttentionKernels.fourWeightedSums(scoreRows, 0, rowStride, shared, cache.values(b), cache.valueIndex(head, first), hd,
                z, offset, queryStride, hd);
    }

    /** {@code out[outOffset + j] = q[t, head] · k[first + j, head] * scale} for {@code j < count}. */
    private void scores(int b, float[] q, KVCache cache, int head, int t, int first, int count, float[] out, int outOffset) {
        int hd = config.headDim();
        AttentionKernels.dotsAlongColumns(q, (t * config.numHeads() + head) * hd, hd, cache.keys(b), cache.keyIndex(head, 0) + first,
                cache.capacity(), count, scale, out, outOffset);
    }

    /** {@code z[t, head] = sum_j p[j] v[first + j, head]}. */
    private void mix(int b, KVCache cache, int head, int t, int first, int count, float[] p, int pOffset, float[] z) {
        int hd = config.headDim();
        AttentionKernels.weightedSum(p, pOffset, count, cache.values(b), cache.valueIndex(head, first), hd,
                z, (t * config.numHeads() + head) * hd, hd);
    }

    /**
     * The output projection. When {@code hook_result} is hooked, each head's share
     * {@code z_h W_O[:, h]} is materialised {@code [T, H, D]}, offered to the hook, and summed.
     */
    private void project(int b, Linear dense, float[] z, Pass pass, float[] out) {
        int rows = pass.rows();
        if (!pass.hooked(HookSite.RESULT, b)) {
            dense.forward(pool, z, rows, out);
            return;
        }
        int d = config.hiddenSize();
        int heads = config.numHeads();
        int hd = config.headDim();
        float[] wo = new float[d * d];
        dense.weight().decodeRows(0, d, wo, 0);
        float[] result = new float[rows * heads * d];
        for (int t = 0; t < rows; t++) {
            for (int head = 0; head < heads; head++) {
                int zOffset = (t * heads + head) * hd;
                int rOffset = (t * heads + head) * d;
                for (int o = 0; o < d; o++) {
                    result[rOffset + o] = Ops.dot(wo, o * d + head * hd, z, zOffset, hd);
                }
            }
        }
        pass.fire(HookSite.RESULT, b, result);
        for (int t = 0; t < rows; t++) {
            System.arraycopy(dense.bias(), 0, out, t * d, d);
            for (int head = 0; head < heads; head++) {
                Ops.addInPlace(out, t * d, result, (t * heads + head) * d, d);
            }
        }
    }
}

package phiscope.engine.tensor;

import static phiscope.engine.tensor.VectorMath.F;
import static phiscope.engine.tensor.VectorMath.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The two halves of attention over a KV cache in float32 off the heap, indices in floats: the
 * scores of a query against many keys, and the probability-weighted sum of value vectors.
 *
 * <p>The layouts are chosen so that both run along contiguous memory. Keys are stored
 * {@code [head][head_dim][position]}: for one query, dimension {@code d} of every key is one run
 * of floats, so a vector of lanes scores that many positions at once ({@link #dotsAlongColumns}).
 * Values are stored {@code [head][position][head_dim]}: a position's value vector is one run, and
 * the sum over positions runs along the head dimension ({@link #weightedSum}). The four-row
 * variants serve four consecutive queries of one text, which share every key and value loaded.
 *
 * <p>Every score and every output is one chain of fused multiply-adds in a fixed order, whichever
 * of these kernels computes it and however many keys share its pass (the package's same-bits rule).
 */
public final class AttentionKernels {

    private AttentionKernels() {
    }

    /**
     * {@code out[outOffset + j] = (sum_d x[xOffset + d] * m[mIndex + d * stride + j]) * scale} for
     * {@code j < count}, {@code m} float32 (indices in floats): one vector against many columns of
     * a matrix stored row by row (attention's scores of one query against keys stored
     * {@code [dim][position]}). Each sum is one chain of fused multiply-adds over {@code d} in
     * order, whether its column falls in a vector or in the scalar tail, so a score has the same
     * bits however many keys are scored with it.
     */
    public static void dotsAlongColumns(float[] x, int xOffset, int depth, MemorySegment m, long mIndex, long stride,
                                        int count, float scale, float[] out, int outOffset) {
        int j = 0;
        // Four vectors of columns at a time: four independent chains hide the FMA latency.
        for (; j + 4 * LANES <= count; j += 4 * LANES) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0; d < depth; d++) {
                FloatVector b = FloatVector.broadcast(F, x[xOffset + d]);
                long row = 4 * (mIndex + d * stride + j);
                a0 = FloatVector.fromMemorySegment(F, m, row, ByteOrder.nativeOrder()).fma(b, a0);
                a1 = FloatVector.fromMemorySegment(F, m, row + 4 * LANES, ByteOrder.nativeOrder()).fma(b, a1);
                a2 = FloatVector.fromMemorySegment(F, m, row + 8 * LANES, ByteOrder.nativeOrder()).fma(b, a2);
                a3 = FloatVector.fromMemorySegment(F, m, row + 12 * LANES, ByteOrder.nativeOrder()).fma(b, a3);
            }
            a0.mul(scale).intoArray(out, outOffset + j);
            a1.mul(scale).intoArray(out, outOffset + j + LANES);
            a2.mul(scale).intoArray(out, outOffset + j + 2 * LANES);
            a3.mul(scale).intoArray(out, outOffset + j + 3 * LANES);
        }
        for (; j + LANES <= count; j += LANES) {
            FloatVector a = FloatVector.zero(F);
            for (int d = 0; d < depth; d++) {
                a = FloatVector.fromMemorySegment(F, m, 4 * (mIndex + d * stride + j), ByteOrder.nativeOrder())
                        .fma(FloatVector.broadcast(F, x[xOffset + d]), a);
            }
            a.mul(scale).intoArray(out, outOffset + j);
        }
        for (; j < count; j++) {
            float s = 0f;
            for (int d = 0; d < depth; d++) {
                s = Math.fma(m.getAtIndex(ValueLayout.JAVA_FLOAT, mIndex + d * stride + j), x[xOffset + d], s);
            }
            out[outOffset + j] = s * scale;
        }
    }

    /**
     * {@link #dotsAlongColumns} for four consecutive rows of a causal prompt, the attention scores
     * of rows that share their first key: query {@code r} is {@code x[xOffset + r * xStride ..]}
     * and scores {@code count + r} columns into {@code out[outOffset + r * outStride ..]}. Each
     * key vector loaded serves all four, and the last, partial vectors are masked rather than
     * summed one column at a time. Every score is the same chain as {@code dotsAlongColumns}
     * computes, so its bits do not depend on which kernel ran it.
     */
    public static void fourDotsAlongColumns(float[] x, int xOffset, int xStride, int depth, MemorySegment m, long mIndex,
                                            long stride, int count, float scale, float[] out, int outOffset, int outStride) {
        int x1 = xOffset + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
        int o1 = outOffset + outStride, o2 = o1 + outStride, o3 = o2 + outStride;
        int j = 0;
        for (; j + 4 * LANES <= count; j += 4 * LANES) {
            fourByFourVectors(x, xOffset, xStride, depth, m, mIndex + j, stride, scale, out, outOffset + j, outStride);
        }
        // One vector of columns at a time, the last ones masked: row r stops at count + r.
        for (; j < count + 3; j += LANES) {
            VectorMask<Float> columns = F.indexInRange(j, count + 3);
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0; d < depth; d++) {
                FloatVector k = FloatVector.fromMemorySegment(F, m, 4 * (mIndex + d * stride + j), ByteOrder.nativeOrder(), columns);
                a0 = k.fma(FloatVector.broadcast(F, x[xOffset + d]), a0);
                a1 = k.fma(FloatVector.broadcast(F, x[x1 + d]), a1);
                a2 = k.fma(FloatVector.broadcast(F, x[x2 + d]), a2);
                a3 = k.fma(FloatVector.broadcast(F, x[x3 + d]), a3);
            }
            a0.mul(scale).intoArray(out, outOffset + j, F.indexInRange(j, count));
            a1.mul(scale).intoArray(out, o1 + j, F.indexInRange(j, count + 1));
            a2.mul(scale).intoArray(out, o2 + j, F.indexInRange(j, count + 2));
            a3.mul(scale).intoArray(out, o3 + j, F.indexInRange(j, count + 3));
        }
    }

    /**
     * The four-row tile of the attention kernels, which scores and value sums both are: for rows
     * {@code r < 4} and the four vectors of columns {@code c} from {@code m}'s float index
     * {@code base}, {@code out[outOffset + r * outStride + c] = scale * sum_k s[sOffset + r * sStride + k]
     * * m[base + k * stride + c]} over {@code k < steps}, each sum one FMA chain over {@code k} in
     * order. A method of its own, so that its callers stay small enough for C1 to compile on
     * their way to C2 (in one large method C1 ran out of registers, and the vectors stayed boxed).
     */
    private static void fourByFourVectors(float[] s, int sOffset, int sStride, int steps, MemorySegment m, long base, long stride,
                                          float scale, float[] out, int outOffset, int outStride) {
        int s1 = sOffset + sStride, s2 = s1 + sStride, s3 = s2 + sStride;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int k = 0; k < steps; k++) {
            long at = 4 * (base + k * stride);
            FloatVector m0 = FloatVector.fromMemorySegment(F, m, at, ByteOrder.nativeOrder());
            FloatVector m1 = FloatVector.fromMemorySegment(F, m, at + 4 * LANES, ByteOrder.nativeOrder());
            FloatVector m2 = FloatVector.fromMemorySegment(F, m, at + 8 * LANES, ByteOrder.nativeOrder());
            FloatVector m3 = FloatVector.fromMemorySegment(F, m, at + 12 * LANES, ByteOrder.nativeOrder());
            FloatVector b = FloatVector.broadcast(F, s[sOffset + k]);
            a00 = m0.fma(b, a00); a01 = m1.fma(b, a01); a02 = m2.fma(b, a02); a03 = m3.fma(b, a03);
            b = FloatVector.broadcast(F, s[s1 + k]);
            a10 = m0.fma(b, a10); a11 = m1.fma(b, a11); a12 = m2.fma(b, a12); a13 = m3.fma(b, a13);
            b = FloatVector.broadcast(F, s[s2 + k]);
            a20 = m0.fma(b, a20); a21 = m1.fma(b, a21); a22 = m2.fma(b, a22); a23 = m3.fma(b, a23);
            b = FloatVector.broadcast(F, s[s3 + k]);
            a30 = m0.fma(b, a30); a31 = m1.fma(b, a31); a32 = m2.fma(b, a32); a33 = m3.fma(b, a33);
        }
        int l1 = LANES, l2 = 2 * LANES, l3 = 3 * LANES;
        int o = outOffset;
        a00.mul(scale).intoArray(out, o); a01.mul(scale).intoArray(out, o + l1); a02.mul(scale).intoArray(out, o + l2); a03.mul(scale).intoArray(out, o + l3);
        o += outStride;
        a10.mul(scale).intoArray(out, o); a11.mul(scale).intoArray(out, o + l1); a12.mul(scale).intoArray(out, o + l2); a13.mul(scale).intoArray(out, o + l3);
        o += outStride;
        a20.mul(scale).intoArray(out, o); a21.mul(scale).intoArray(out, o + l1); a22.mul(scale).intoArray(out, o + l2); a23.mul(scale).intoArray(out, o + l3);
        o += outStride;
        a30.mul(scale).intoArray(out, o); a31.mul(scale).intoArray(out, o + l1); a32.mul(scale).intoArray(out, o + l2); a33.mul(scale).intoArray(out, o + l3);
    }

    /**
     * {@code out[outOffset + i] = sum_j weights[wOffset + j] * vectors[vIndex + j * stride + i]} for
     * {@code i < width}, {@code j < count}, {@code vectors} float32 (indices in floats):
     * attention's probability-weighted sum of value vectors, each output one FMA chain over {@code j}.
     */
    public static void weightedSum(float[] weights, int wOffset, int count, MemorySegment vectors, long vIndex, long stride,
                                   float[] out, int outOffset, int width) {
        Arrays.fill(out, outOffset, outOffset + width, 0f);
        addWeightedSum(weights, wOffset, count, vectors, vIndex, stride, out, outOffset, width);
    }

    /**
     * {@link #weightedSum} added to what {@code out} holds: each output's chain goes on from its
     * value there, so a sum over keys {@code [0, n)} continued over {@code [n, count)} has the
     * bits of one over {@code [0, count)}. Four vectors of outputs at a time, whose four
     * independent chains hide the FMA latency.
     */
    public static void addWeightedSum(float[] weights, int wOffset, int count, MemorySegment vectors, long vIndex, long stride,
                                      float[] out, int outOffset, int width) {
        int i = 0;
        for (; i + 4 * LANES <= width; i += 4 * LANES) {
            int o = outOffset + i;
            FloatVector a0 = FloatVector.fromArray(F, out, o), a1 = FloatVector.fromArray(F, out, o + LANES);
            FloatVector a2 = FloatVector.fromArray(F, out, o + 2 * LANES), a3 = FloatVector.fromArray(F, out, o + 3 * LANES);
            for (int j = 0; j < count; j++) {
                long at = 4 * (vIndex + j * stride + i);
                FloatVector p = FloatVector.broadcast(F, weights[wOffset + j]);
                a0 = FloatVector.fromMemorySegment(F, vectors, at, ByteOrder.nativeOrder()).fma(p, a0);
                a1 = FloatVector.fromMemorySegment(F, vectors, at + 4 * LANES, ByteOrder.nativeOrder()).fma(p, a1);
                a2 = FloatVector.fromMemorySegment(F, vectors, at + 8 * LANES, ByteOrder.nativeOrder()).fma(p, a2);
                a3 = FloatVector.fromMemorySegment(F, vectors, at + 12 * LANES, ByteOrder.nativeOrder()).fma(p, a3);
            }
            a0.intoArray(out, o); a1.intoArray(out, o + LANES); a2.intoArray(out, o + 2 * LANES); a3.intoArray(out, o + 3 * LANES);
        }
        for (; i + LANES <= width; i += LANES) {
            FloatVector acc = FloatVector.fromArray(F, out, outOffset + i);
            for (int j = 0; j < count; j++) {
                acc = FloatVector.fromMemorySegment(F, vectors, 4 * (vIndex + j * stride + i), ByteOrder.nativeOrder())
                        .fma(FloatVector.broadcast(F, weights[wOffset + j]), acc);
            }
            acc.intoArray(out, outOffset + i);
        }
        for (; i < width; i++) {
            float acc = out[outOffset + i];
            for (int j = 0; j < count; j++) {
                acc = Math.fma(vectors.getAtIndex(ValueLayout.JAVA_FLOAT, vIndex + j * stride + i), weights[wOffset + j], acc);
            }
            out[outOffset + i] = acc;
        }
    }

    /**
     * {@link #weightedSum} for four consecutive rows of a causal prompt, as
     * {@link #fourDotsAlongColumns} scores them: row {@code r}'s weights are at
     * {@code weights[wOffset + r * wStride ..]}, it sums {@code count + r} value vectors, and its
     * sum goes to {@code out[outOffset + r * outStride ..]}. Each value vector of the first
     * {@code count} serves all four rows, whose chains run side by side; a row's chains then go on
     * over the vectors only it sees, so each output is the chain {@code weightedSum} computes.
     */
    public static void fourWeightedSums(float[] weights, int wOffset, int wStride, int count, MemorySegment vectors, long vIndex,
                                        long stride, float[] out, int outOffset, int outStride, int width) {
        int w1 = wOffset + wStride, w2 = w1 + wStride, w3 = w2 + wStride;
        int i = 0;
        // Times one: exact for every float, so the outputs keep weightedSum's bits.
        for (; i + 4 * LANES <= width; i += 4 * LANES) {
            fourByFourVectors(weights, wOffset, wStride, count, vectors, vIndex + i, stride, 1f, out, outOffset + i, outStride);
        }
        for (; i + LANES <= width; i += LANES) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int j = 0; j < count; j++) {
                FloatVector v = FloatVector.fromMemorySegment(F, vectors, 4 * (vIndex + j * stride + i), ByteOrder.nativeOrder());
                a0 = v.fma(FloatVector.broadcast(F, weights[wOffset + j]), a0);
                a1 = v.fma(FloatVector.broadcast(F, weights[w1 + j]), a1);
                a2 = v.fma(FloatVector.broadcast(F, weights[w2 + j]), a2);
                a3 = v.fma(FloatVector.broadcast(F, weights[w3 + j]), a3);
            }
            int o = outOffset + i;
            a0.intoArray(out, o);
            a1.intoArray(out, o + outStride);
            a2.intoArray(out, o + 2 * outStride);
            a3.intoArray(out, o + 3 * outStride);
        }
        if (i < width) {
            for (int r = 0; r < 4; r++) {
                weightedSum(weights, wOffset + r * wStride, count, vectors, vIndex + i, stride, out, outOffset + r * outStride + i,
                        width - i);
            }
        }
        for (int r = 1; r < 4; r++) {
            addWeightedSum(weights, wOffset + r * wStride + count, r, vectors, vIndex + count * stride, stride,
                    out, outOffset + r * outStride, width);
        }
    }
}

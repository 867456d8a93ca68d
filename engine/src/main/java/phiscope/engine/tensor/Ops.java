package phiscope.engine.tensor;

import static phiscope.engine.tensor.VectorMath.F;
import static phiscope.engine.tensor.VectorMath.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/** Row-wise operations of the forward pass on float32 activations. */
public final class Ops {

    private Ops() {
    }

    /** {@code a[aOffset + i] += b[bOffset + i]} for {@code i < length}. */
    public static void addInPlace(float[] a, int aOffset, float[] b, int bOffset, int length) {
        int i = 0;
        for (int end = length - length % LANES; i < end; i += LANES) {
            FloatVector.fromArray(F, a, aOffset + i).add(FloatVector.fromArray(F, b, bOffset + i)).intoArray(a, aOffset + i);
        }
        for (; i < length; i++) {
            a[aOffset + i] += b[bOffset + i];
        }
    }

    /**
     * LayerNorm of each of {@code rows} rows of width {@code width}: {@code (x - mean) / sqrt(var + eps) * w + b}
     * with the biased variance, as {@code torch.nn.LayerNorm}. Moments are accumulated in double.
     */
    public static void layerNorm(float[] x, int rows, int width, float[] weight, float[] bias, float eps, float[] out) {
        for (int r = 0; r < rows; r++) {
            int base = r * width;
            double sum = 0;
            for (int i = 0; i < width; i++) {
                sum += x[base + i];
            }
            float mean = (float) (sum / width);
            double squares = 0;
            for (int i = 0; i < width; i++) {
                double d = x[base + i] - mean;
                squares += d * d;
            }
            float rstd = (float) (1.0 / Math.sqrt(squares / width + eps));
            for (int i = 0; i < width; i++) {
                out[base + i] = (x[base + i] - mean) * rstd * weight[i] + bias[i];
            }
        }
    }

    /** Softmax of {@code x[offset .. offset + length)} in place: max-shifted exponentials over their sum. */
    public static void softmax(float[] x, int offset, int length) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < length; i++) {
            max = Math.max(max, x[offset + i]);
        }
        int vec = length - length % LANES;
        FloatVector sums = FloatVector.zero(F);
        int i = 0;
        for (; i < vec; i += LANES) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(F, x, offset + i).sub(max));
            e.intoArray(x, offset + i);
            sums = sums.add(e);
        }
        float sum = VectorMath.sum(sums);
        for (; i < length; i++) {
            float e = VectorMath.exp(x[offset + i] - max);
            x[offset + i] = e;
            sum += e;
        }
        for (int j = 0; j < length; j++) {
            x[offset + j] /= sum;
        }
    }

    /** {@code log(sum(exp(x)))} over {@code x[offset .. offset + length)}, max-shifted. */
    public static float logSumExp(float[] x, int offset, int length) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < length; i++) {
            max = Math.max(max, x[offset + i]);
        }
        int vec = length - length % LANES;
        FloatVector sums = FloatVector.zero(F);
        int i = 0;
        for (; i < vec; i += LANES) {
            sums = sums.add(VectorMath.exp(FloatVector.fromArray(F, x, offset + i).sub(max)));
        }
        double sum = VectorMath.sum(sums);
        for (; i < length; i++) {
            sum += VectorMath.exp(x[offset + i] - max);
        }
        return max + (float) Math.log(sum);
    }

    /** {@code a[aOffset ..] · b[bOffset ..]} over {@code length} elements: one vector accumulator, a fixed lane fold, the tail. */
    public static float dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
        FloatVector acc = FloatVector.zero(F);
        int vec = length - length % LANES;
        for (int i = 0; i < vec; i += LANES) {
            acc = FloatVector.fromArray(F, a, aOffset + i).fma(FloatVector.fromArray(F, b, bOffset + i), acc);
        }
        float s = VectorMath.sum(acc);
        for (int i = vec; i < length; i++) {
            s = Math.fma(a[aOffset + i], b[bOffset + i], s);
        }
        return s;
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
     * {@code out[outOffset + i] = sum_j weights[wOffset + j] * vectors[vIndex + j * stride + i]} for
     * {@code i < width}, {@code j < count}, {@code vectors} float32 (indices in floats):
     * attention's probability-weighted sum of value vectors, each output one FMA chain over {@code j}.
     */
    public static void weightedSum(float[] weights, int wOffset, int count, MemorySegment vectors, long vIndex, long stride,
                                   float[] out, int outOffset, int width) {
        int i = 0;
        for (int vec = width - width % LANES; i < vec; i += LANES) {
            FloatVector acc = FloatVector.zero(F);
            for (int j = 0; j < count; j++) {
                acc = FloatVector.fromMemorySegment(F, vectors, 4 * (vIndex + j * stride + i), ByteOrder.nativeOrder())
                        .fma(FloatVector.broadcast(F, weights[wOffset + j]), acc);
            }
            acc.intoArray(out, outOffset + i);
        }
        for (; i < width; i++) {
            float acc = 0f;
            for (int j = 0; j < count; j++) {
                acc = Math.fma(vectors.getAtIndex(ValueLayout.JAVA_FLOAT, vIndex + j * stride + i), weights[wOffset + j], acc);
            }
            out[outOffset + i] = acc;
        }
    }
}

package phiscope.engine.tensor;

import static phiscope.engine.tensor.VectorMath.F;
import static phiscope.engine.tensor.VectorMath.LANES;

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
     * {@code out[outOffset + i] = sum_j weights[wOffset + j] * vectors[vOffset + j * stride + i]} for
     * {@code i < width}, {@code j < count}: attention's probability-weighted sum of value vectors.
     */
    public static void weightedSum(float[] weights, int wOffset, int count, float[] vectors, int vOffset, int stride,
                                   float[] out, int outOffset, int width) {
        int i = 0;
        for (int vec = width - width % LANES; i < vec; i += LANES) {
            FloatVector acc = FloatVector.zero(F);
            for (int j = 0; j < count; j++) {
                acc = FloatVector.fromArray(F, vectors, vOffset + j * stride + i).fma(FloatVector.broadcast(F, weights[wOffset + j]), acc);
            }
            acc.intoArray(out, outOffset + i);
        }
        for (; i < width; i++) {
            float acc = 0f;
            for (int j = 0; j < count; j++) {
                acc = Math.fma(vectors[vOffset + j * stride + i], weights[wOffset + j], acc);
            }
            out[outOffset + i] = acc;
        }
    }
}

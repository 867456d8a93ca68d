package phiscope.engine.tensor;

import static phiscope.engine.tensor.VectorMath.F;
import static phiscope.engine.tensor.VectorMath.LANES;

import jdk.incubator.vector.FloatVector;

/** Row-wise operations of the forward pass on float32 activations (the attention kernels are {@link AttentionKernels}). */
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

    /** {@code y[yOffset + i] += a · x[xOffset + i]} for {@code i < length}, fused multiply-adds. */
    public static void addScaled(float a, float[] x, int xOffset, float[] y, int yOffset, int length) {
        FloatVector va = FloatVector.broadcast(F, a);
        int i = 0;
        for (int end = length - length % LANES; i < end; i += LANES) {
            FloatVector.fromArray(F, x, xOffset + i).fma(va, FloatVector.fromArray(F, y, yOffset + i)).intoArray(y, yOffset + i);
        }
        for (; i < length; i++) {
            y[yOffset + i] = Math.fma(x[xOffset + i], a, y[yOffset + i]);
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
}

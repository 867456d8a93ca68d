package phiscope.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise math with results that do not depend on how the JVM runs the code: only lane-wise
 * IEEE add, multiply and fused multiply-add, never the Vector API's transcendental operations or
 * unordered reductions (whose results differ between the interpreter and compiled code). The
 * scalar and vector versions compute bit-identical values, so a text scores the same whatever
 * else shares its batch and however warm the JIT is.
 */
public final class VectorMath {

    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    public static final int LANES = F.length();
    /** Ints in the shape of {@link #F}: lane for lane with a float vector. */
    static final VectorSpecies<Integer> INTS = F.withLanes(int.class);

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** Above this 2^n would overflow the exponent field; e^88 is still finite. */
    private static final float EXP_MAX = 88.0f;
    private static final float EXP_MIN = -87.3365f;
    /** 1.5 * 2^23: adding and subtracting it rounds a float to the nearest integer (ties to even). */
    private static final float ROUNDER = 12582912f;
    private static final float[] EXP_POLY = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
        4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};
    /** sqrt(2 / pi), the constant of gelu_new. */
    private static final float GELU_C = 0.7978845608028654f;
    private static final float GELU_A = 0.044715f;

    /** Butterfly shuffles that fold a vector onto itself: half, quarter, ... of the lanes. */
    private static final VectorShuffle<Float>[] FOLDS = folds();

    private VectorMath() {
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] folds() {
        int steps = Integer.numberOfTrailingZeros(LANES);
        VectorShuffle<Float>[] folds = new VectorShuffle[steps];
        for (int s = 0; s < steps; s++) {
            int distance = LANES >> (s + 1);
            folds[s] = VectorShuffle.fromOp(F, i -> i ^ distance);
        }
        return folds;
    }

    /** Sum of the lanes in a fixed pairwise order. */
    public static float sum(FloatVector v) {
        for (VectorShuffle<Float> fold : FOLDS) {
            v = v.add(v.rearrange(fold));
        }
        return v.lane(0);
    }

    /** e^x to about one ulp; 0 below x = -87.3, +inf above x = 88, NaN for NaN. */
    public static float exp(float x) {
        if (x < EXP_MIN) {
            return 0f;
        }
        if (x > EXP_MAX) {
            return x == x ? Float.POSITIVE_INFINITY : x;
        }
        float n = (Math.fma(x, LOG2E, ROUNDER)) - ROUNDER;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = EXP_POLY[0];
        for (int i = 1; i < EXP_POLY.length; i++) {
            p = Math.fma(p, r, EXP_POLY[i]);
        }
        p = Math.fma(p, r * r, r) + 1f;
        return p * Float.intBitsToFloat(((int) n + 127) << 23);
    }

    public static FloatVector exp(FloatVector x) {
        var tooSmall = x.compare(VectorOperators.LT, EXP_MIN);
        var tooLarge = x.compare(VectorOperators.GT, EXP_MAX);
        var nan = x.test(VectorOperators.IS_NAN);
        FloatVector clamped = x.max(EXP_MIN).min(EXP_MAX);
        FloatVector n = clamped.fma(LOG2E, ROUNDER).sub(ROUNDER);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), clamped);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(F, EXP_POLY[0]);
        for (int i = 1; i < EXP_POLY.length; i++) {
            p = p.fma(r, FloatVector.broadcast(F, EXP_POLY[i]));
        }
        p = p.fma(r.mul(r), r).add(1f);
        IntVector scale = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        FloatVector result = p.mul(scale.reinterpretAsFloats());
        return result.blend(FloatVector.zero(F), tooSmall)
                .blend(FloatVector.broadcast(F, Float.POSITIVE_INFINITY), tooLarge)
                .blend(x, nan);
    }

    /** gelu_new (the tanh approximation), written as x * sigmoid(2u) = 0.5 x (1 + tanh u). */
    public static float gelu(float x) {
        float u = GELU_C * Math.fma(GELU_A * x, x * x, x);
        return x / (1f + exp(-2f * u));
    }

    public static FloatVector gelu(FloatVector x) {
        FloatVector u = x.mul(GELU_A).fma(x.mul(x), x).mul(GELU_C);
        return x.div(exp(u.mul(-2f)).add(1f));
    }

    public static void gelu(float[] values, int offset, int length) {
        int i = 0;
        for (int end = length - length % LANES; i < end; i += LANES) {
            gelu(FloatVector.fromArray(F, values, offset + i)).intoArray(values, offset + i);
        }
        for (; i < length; i++) {
            values[offset + i] = gelu(values[offset + i]);
        }
    }
}

package phiscope.engine.tensor;

import static phiscope.engine.tensor.VectorMath.F;
import static phiscope.engine.tensor.VectorMath.LANES;
import static phiscope.engine.tensor.WeightFormat.BLOCK;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The block quantizers of llama.cpp's reference code ({@code quantize_row_q8_0_ref},
 * {@code quantize_row_q4_0_ref}), one block of 32 weights at a time, so that our Q8_0 and Q4_0
 * weights equal theirs; and the Q8_0 of activations that its integer dot products multiply Q4_0
 * weights by.
 */
final class Quantization {

    /** As many bytes as float lanes, so one load of quantized weights widens to one float vector. */
    static final VectorSpecies<Byte> BYTES = LANES >= 8
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * 8)) : null;

    /** Shorts lane for lane with a float vector. */
    private static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class, VectorShape.forBitSize(LANES * 16));
    /** 1.5 * 2^23: adding and subtracting it rounds a float below 2^22 in magnitude to an integer, ties to even. */
    private static final float ROUNDER = 12582912f;

    private Quantization() {
    }

    static void requireByteLanes() {
        if (BYTES == null) {
            throw new IllegalStateException("quantized weights need vectors of at least 256 bits (AVX2, AVX-512); this CPU's "
                    + "vectors hold " + LANES + " floats");
        }
    }

    /**
     * Q8_0 of {@code values[from .. from + n)} (zero-padded to a block): {@code q} gets the 32
     * integers, the result is the float16 scale.
     */
    static short q8(float[] values, int from, int n, byte[] q) {
        float amax = 0f;
        for (int i = 0; i < n; i++) {
            amax = Math.max(amax, Math.abs(values[from + i]));
        }
        float d = amax / 127f;
        float id = d != 0f ? 1f / d : 0f;
        Arrays.fill(q, (byte) 0);
        for (int i = 0; i < n; i++) {
            q[i] = (byte) roundHalfAwayFromZero(values[from + i] * id);
        }
        return Float16.fromFloat(d);
    }

    /**
     * Q4_0 of {@code values[from .. from + n)} (zero-padded to a block): {@code q} gets the 32
     * integers 0..15 (the weight is {@code (q - 8) * d}), the result is the float16 scale
     * {@code d = w_max / -8}, {@code w_max} the weight of largest magnitude.
     */
    static short q4(float[] values, int from, int n, byte[] q) {
        float amax = 0f;
        float max = 0f;
        for (int i = 0; i < n; i++) {
            float v = values[from + i];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8f;
        float id = d != 0f ? 1f / d : 0f;
        for (int i = 0; i < BLOCK; i++) {
            float v = i < n ? values[from + i] * id : 0f;
            q[i] = (byte) Math.min(15, (int) (v + 8.5f));
        }
        return Float16.fromFloat(d);
    }

    /**
     * {@code tokens} rows of {@code cols} activations in Q8_0, as llama.cpp quantizes the
     * activations it multiplies Q4_0 weights by: per block of 32 values of a row,
     * {@code d = max|x| / 127} and {@code q = x / d} rounded to the nearest integer, ties to even
     * (as its vector code rounds). {@code q} gets the integers -127..127, row for row with
     * {@code x}; {@code scales[t * blocks + b]} the blocks' {@code d}, rounded to float16 as
     * llama.cpp stores it. A NaN or infinity makes its block's scale NaN or infinite, and so its
     * products NaN.
     */
    static void q8Activations(float[] x, int tokens, int cols, short[] q, float[] scales) {
        int blocks = (cols + BLOCK - 1) / BLOCK;
        for (int t = 0; t < tokens; t++) {
            for (int b = 0; b < blocks; b++) {
                int from = t * cols + b * BLOCK;
                int n = Math.min(BLOCK, cols - b * BLOCK);
                float amax = 0f;
                if (n == BLOCK) {
                    FloatVector max = FloatVector.zero(F);
                    for (int i = 0; i < BLOCK; i += LANES) {
                        max = max.max(FloatVector.fromArray(F, x, from + i).abs());
                    }
                    amax = max.reduceLanes(VectorOperators.MAX);
                } else {
                    for (int i = 0; i < n; i++) {
                        amax = Math.max(amax, Math.abs(x[from + i]));
                    }
                }
                float d = amax / 127f;
                float id = d != 0f ? 1f / d : 0f;
                if (n == BLOCK) {
                    for (int i = 0; i < BLOCK; i += LANES) {
                        ((ShortVector) FloatVector.fromArray(F, x, from + i).mul(id).add(ROUNDER).sub(ROUNDER)
                                .convertShape(VectorOperators.F2S, SHORTS, 0)).intoArray(q, from + i);
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        q[from + i] = (short) (x[from + i] * id + ROUNDER - ROUNDER);
                    }
                }
                scales[t * blocks + b] = Float16.toFloat(Float16.fromFloat(d));
            }
        }
    }

    /** C's {@code roundf}: halves go away from zero (Java's Math.round sends -2.5 to -2). */
    static int roundHalfAwayFromZero(float v) {
        float a = Math.abs(v);
        int r = (int) a;
        if (a - r >= 0.5f) {
            r++;
        }
        return v < 0 ? -r : r;
    }
}

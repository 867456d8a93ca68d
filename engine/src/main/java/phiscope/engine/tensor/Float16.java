package phiscope.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * IEEE half (F16) and bfloat16 (BF16) to float32, scalar and in vector registers. The Vector API
 * has no float16 instructions, so the vector decode is integer work plus float arithmetic that
 * never sees a subnormal operand (which costs a microcode assist of ~100 cycles on Intel CPUs, and
 * slows AMD's too: on a Zen 5, a decode step that re-biased halves by multiplying them, subnormal
 * ones as float32 subnormals, by 2^112 took 1.28 to 1.32 times as long, in cache and from memory):
 * exponent and mantissa are moved into float position and re-biased by an integer add, and the
 * subnormal halves are fixed up with one exact fused multiply-add. It is exact for all 65,536
 * patterns, signed zeros, infinities and NaN payloads included; signalling NaNs come out quiet,
 * as IEEE 754 conversion and the F16C instruction behind the JIT-compiled
 * {@link Float#float16ToFloat} make them.
 *
 * <p>The loops write the decode inline: a helper that takes or returns vectors is not always
 * inlined by C2, and then its vectors are boxed on the heap, which is slower than scalar code.
 * Where no value is an infinity or NaN, {@link #decodeFiniteF16} lets the hardware convert.
 */
public final class Float16 {

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** As many shorts as there are float lanes, so one load feeds one float vector. */
    static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class,
            VectorShape.forBitSize(VectorMath.F.vectorBitSize() / 2));
    private static final int LANES = VectorMath.LANES;

    /** Float bits of a half's exponent and mantissa moved into place: add this to re-bias the exponent. */
    static final int REBIAS = (127 - 15) << 23;
    /** Re-biased bits below this are halves with exponent 0 (zero or subnormal). */
    private static final int SMALLEST_NORMAL = (127 - 14) << 23;
    /** A re-biased subnormal reads as 2^-15 (1 + m / 1024); twice that minus 2^-14 is its value m 2^-24. */
    static final float SUBNORMAL_OFFSET = -0x1p-14f;

    // The decode step's F16 decode (PackedFloats), for finite halves, with no subnormal operand:
    // a half widened with its sign and shifted left by FINITE_SHIFT has its exponent and mantissa
    // at FINITE_MAGNITUDE and its sign at FINITE_SIGN. The magnitude plus REBIAS reads it as a
    // normal half; plus REBIAS + ONE_EXPONENT and SUBNORMAL_OFFSET, as a zero or subnormal one.
    // For a normal half the second reading is the larger, for the others the first, so the
    // smaller of the two (compared as ints: both are positive) is the value.
    static final int FINITE_SHIFT = 13;
    static final int FINITE_MAGNITUDE = 0x0fffe000;
    static final int FINITE_SIGN = 0x80000000;
    static final int ONE_EXPONENT = 1 << 23;

    private Float16() {
    }

    public static float toFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    public static short fromFloat(float value) {
        return Float.floatToFloat16(value);
    }

    public static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /** Round to nearest even, as torch does when casting float32 to bfloat16. */
    public static short bfloat16FromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    /** Whether {@code bits} is an F16 infinity or NaN (exponent all ones). */
    public static boolean isSpecial(short bits) {
        return (bits & 0x7c00) == 0x7c00;
    }

    /**
     * Decodes {@code count} consecutive little-endian F16 values at {@code byteOffset} of
     * {@code src} into {@code dst[offset ..]}.
     */
    public static void decodeF16(MemorySegment src, long byteOffset, int count, float[] dst, int offset) {
        int vec = count - count % LANES;
        for (int i = 0; i < vec; i += LANES) {
            IntVector half = (IntVector) ShortVector.fromMemorySegment(SHORTS, src, byteOffset + 2L * i, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, VectorMath.INTS, 0);
            IntVector magnitude = half.and(0x7fff);
            IntVector biased = magnitude.lanewise(VectorOperators.LSHL, 13).add(REBIAS);
            IntVector small = biased.reinterpretAsFloats().fma(2f, SUBNORMAL_OFFSET).reinterpretAsInts();
            IntVector infinite = biased.add(REBIAS);
            IntVector special = infinite.blend(infinite.or(0x00400000), magnitude.compare(VectorOperators.GT, 0x7c00));
            biased.blend(small, biased.compare(VectorOperators.LT, SMALLEST_NORMAL))
                    .blend(special, magnitude.compare(VectorOperators.GE, 0x7c00))
                    .or(half.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                    .reinterpretAsFloats().intoArray(dst, offset + i);
        }
        for (int i = vec; i < count; i++) {
            dst[offset + i] = quiet(Float.float16ToFloat(src.get(HALF, byteOffset + 2L * i)));
        }
    }

    /** Decodes {@code count} consecutive little-endian BF16 values (exact: bfloat16 is float32's upper half). */
    public static void decodeBF16(MemorySegment src, long byteOffset, int count, float[] dst, int offset) {
        int vec = count - count % LANES;
        for (int i = 0; i < vec; i += LANES) {
            ((IntVector) ShortVector.fromMemorySegment(SHORTS, src, byteOffset + 2L * i, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, VectorMath.INTS, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, offset + i);
        }
        for (int i = vec; i < count; i++) {
            dst[offset + i] = bfloat16ToFloat(src.get(HALF, byteOffset + 2L * i));
        }
    }

    /**
     * Decodes {@code count} consecutive little-endian F16 values none of which is an infinity or
     * NaN: a plain loop of {@link Float#float16ToFloat}, which C2 compiles to the hardware's
     * conversion ({@code vcvtph2ps}, 16 values an instruction), two to three times faster than
     * the integer decode. It is exact for finite values in every tier; NaNs are left out because
     * the JDK's own conversion quiets signalling ones only once compiled.
     */
    public static void decodeFiniteF16(MemorySegment src, long byteOffset, int count, float[] dst, int offset) {
        for (int i = 0; i < count; i++) {
            dst[offset + i] = Float.float16ToFloat(src.get(HALF, byteOffset + 2L * i));
        }
    }

    /** The scalar decode, with signalling NaNs quieted as in the vector decode. */
    private static float quiet(float value) {
        return Float.isNaN(value) ? Float.intBitsToFloat(Float.floatToRawIntBits(value) | 0x00400000) : value;
    }
}

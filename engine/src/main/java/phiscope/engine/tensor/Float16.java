package phiscope.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * IEEE half (F16) and bfloat16 (BF16) to float32, scalar and in vector registers. The Vector API
 * has no float16 instructions, so the vector decode is integer work plus float arithmetic that
 * never sees a subnormal operand (which costs a microcode assist of ~100 cycles on Intel CPUs):
 * exponent and mantissa are moved into float position and re-biased by an integer add, and the
 * subnormal halves are fixed up with one exact fused multiply-add. It is exact for all 65,536
 * patterns, signed zeros, infinities and NaN payloads included; signalling NaNs come out quiet,
 * as IEEE 754 conversion and the F16C instruction behind the JIT-compiled
 * {@link Float#float16ToFloat} make them.
 *
 * <p>The loops write the decode inline: a helper that takes or returns vectors is not always
 * inlined by C2, and then its vectors are boxed on the heap, which is slower than scalar code.
 */
public final class Float16 {

    static final VectorSpecies<Integer> INTS = VectorMath.F.withLanes(int.class);
    /** As many shorts as there are float lanes, so one load feeds one float vector. */
    static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class,
            VectorShape.forBitSize(VectorMath.F.vectorBitSize() / 2));
    private static final int LANES = VectorMath.LANES;

    /** Float bits of a half's exponent and mantissa moved into place: add this to re-bias the exponent. */
    static final int REBIAS = (127 - 15) << 23;
    /** Re-biased bits below this are halves with exponent 0 (zero or subnormal). */
    static final int SMALLEST_NORMAL = (127 - 14) << 23;
    /** A re-biased subnormal reads as 2^-15 (1 + m / 1024); twice that minus 2^-14 is its value m 2^-24. */
    static final float SUBNORMAL_OFFSET = -0x1p-14f;

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
                    .convertShape(VectorOperators.S2I, INTS, 0);
            IntVector magnitude = half.and(0x7fff);
            IntVector biased = magnitude.lanewise(VectorOperators.LSHL, 13).add(REBIAS);
            IntVector small = biased.reinterpretAsFloats().fma(2f, SUBNORMAL_OFFSET).reinterpretAsInts();
            IntVector special = biased.add(REBIAS).lanewise(VectorOperators.OR, 0x00400000,
                    magnitude.compare(VectorOperators.GT, 0x7c00));
            biased.blend(small, biased.compare(VectorOperators.LT, SMALLEST_NORMAL))
                    .blend(special, magnitude.compare(VectorOperators.GE, 0x7c00))
                    .or(half.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                    .reinterpretAsFloats().intoArray(dst, offset + i);
        }
        for (int i = vec; i < count; i++) {
            dst[offset + i] = quiet(Float.float16ToFloat(src.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED
                    .withOrder(ByteOrder.LITTLE_ENDIAN), byteOffset + 2L * i)));
        }
    }

    /** Decodes {@code count} consecutive little-endian BF16 values (exact: bfloat16 is float32's upper half). */
    public static void decodeBF16(MemorySegment src, long byteOffset, int count, float[] dst, int offset) {
        int vec = count - count % LANES;
        for (int i = 0; i < vec; i += LANES) {
            ((IntVector) ShortVector.fromMemorySegment(SHORTS, src, byteOffset + 2L * i, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, INTS, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, offset + i);
        }
        for (int i = vec; i < count; i++) {
            dst[offset + i] = bfloat16ToFloat(src.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED
                    .withOrder(ByteOrder.LITTLE_ENDIAN), byteOffset + 2L * i));
        }
    }

    /**
     * Decodes {@code count} (a multiple of {@code 2 * LANES}) F16 values stored in interleaved
     * pairs, as {@link PackedFloats} keeps them: each 32-bit word holds lane {@code m} of one
     * vector in its low half and lane {@code m} of the next vector in its high half. With
     * {@code finite} (no infinity or NaN among them) the decode skips the special-value check.
     */
    public static void decodeF16Pairs(MemorySegment src, long byteOffset, int count, float[] dst, int offset, boolean finite) {
        if (!finite) {
            decodeF16PairsWithSpecials(src, byteOffset, count, dst, offset);
            return;
        }
        for (int i = 0; i < count; i += 2 * LANES) {
            IntVector pair = IntVector.fromMemorySegment(INTS, src, byteOffset + 2L * i, ByteOrder.LITTLE_ENDIAN);
            // Low halves: exponent and mantissa shifted up to float position, the sign from bit 15.
            IntVector low = pair.lanewise(VectorOperators.LSHL, 13).and(0x0fffe000).add(REBIAS);
            IntVector lowSmall = low.reinterpretAsFloats().fma(2f, SUBNORMAL_OFFSET).reinterpretAsInts();
            low.blend(lowSmall, low.compare(VectorOperators.LT, SMALLEST_NORMAL))
                    .or(pair.lanewise(VectorOperators.LSHL, 16).and(0x80000000))
                    .reinterpretAsFloats().intoArray(dst, offset + i);
            // High halves: shifted down, the sign already in bit 31.
            IntVector high = pair.lanewise(VectorOperators.LSHR, 3).and(0x0fffe000).add(REBIAS);
            IntVector highSmall = high.reinterpretAsFloats().fma(2f, SUBNORMAL_OFFSET).reinterpretAsInts();
            high.blend(highSmall, high.compare(VectorOperators.LT, SMALLEST_NORMAL))
                    .or(pair.and(0x80000000))
                    .reinterpretAsFloats().intoArray(dst, offset + i + LANES);
        }
    }

    private static void decodeF16PairsWithSpecials(MemorySegment src, long byteOffset, int count, float[] dst, int offset) {
        for (int i = 0; i < count; i += 2 * LANES) {
            IntVector pair = IntVector.fromMemorySegment(INTS, src, byteOffset + 2L * i, ByteOrder.LITTLE_ENDIAN);
            for (int part = 0; part < 2; part++) {
                IntVector half = part == 0 ? pair.and(0xffff) : pair.lanewise(VectorOperators.LSHR, 16);
                IntVector magnitude = half.and(0x7fff);
                IntVector biased = magnitude.lanewise(VectorOperators.LSHL, 13).add(REBIAS);
                IntVector small = biased.reinterpretAsFloats().fma(2f, SUBNORMAL_OFFSET).reinterpretAsInts();
                IntVector special = biased.add(REBIAS).lanewise(VectorOperators.OR, 0x00400000,
                        magnitude.compare(VectorOperators.GT, 0x7c00));
                biased.blend(small, biased.compare(VectorOperators.LT, SMALLEST_NORMAL))
                        .blend(special, magnitude.compare(VectorOperators.GE, 0x7c00))
                        .or(half.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                        .reinterpretAsFloats().intoArray(dst, offset + i + part * LANES);
            }
        }
    }

    /** Decodes {@code count} (a multiple of {@code 2 * LANES}) BF16 values stored in interleaved pairs. */
    public static void decodeBF16Pairs(MemorySegment src, long byteOffset, int count, float[] dst, int offset) {
        for (int i = 0; i < count; i += 2 * LANES) {
            IntVector pair = IntVector.fromMemorySegment(INTS, src, byteOffset + 2L * i, ByteOrder.LITTLE_ENDIAN);
            pair.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, offset + i);
            pair.and(0xffff0000).reinterpretAsFloats().intoArray(dst, offset + i + LANES);
        }
    }

    /** Position of value {@code j} (of {@code 2 * LANES}) in interleaved pair storage. */
    public static int pairPosition(int j) {
        return j % LANES * 2 + j / LANES;
    }

    /** The scalar decode, with signalling NaNs quieted as in the vector decode. */
    private static float quiet(float value) {
        return Float.isNaN(value) ? Float.intBitsToFloat(Float.floatToRawIntBits(value) | 0x00400000) : value;
    }
}

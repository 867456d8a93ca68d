package phiscope.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * IEEE half (F16) and bfloat16 (BF16) to float32, scalar and in vector registers. The vector
 * decode uses integer operations only (no float16 instructions in the Vector API) and is exact
 * for all 65,536 bit patterns, subnormals, signed zeros, infinities and NaN payloads included;
 * signalling NaNs come out quiet, as IEEE 754 conversion and the F16C instruction behind the
 * JIT-compiled {@link Float#float16ToFloat} make them.
 */
public final class Float16 {

    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    /** As many shorts as there are float lanes, so one load feeds one float vector. */
    static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class,
            VectorShape.forBitSize(FLOATS.vectorBitSize() / 2));
    static final VectorSpecies<Integer> INTS = FLOATS.withLanes(int.class);

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

    /** Decodes {@code FLOATS.length()} little-endian F16 values starting at {@code byteOffset}. */
    public static FloatVector decodeF16(MemorySegment segment, long byteOffset) {
        IntVector half = (IntVector) ShortVector.fromMemorySegment(SHORTS, segment, byteOffset, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.S2I, INTS, 0);
        return decodeF16(half);
    }

    /**
     * Exponent and mantissa shifted into float position and scaled by 2^112 (the bias difference)
     * give every finite value, subnormals included, with one exact multiply; infinities and NaNs
     * (exponent all ones) get the float exponent all ones instead, NaNs with the quiet bit set.
     * The sign is OR-ed back last.
     */
    static FloatVector decodeF16(IntVector half) {
        IntVector magnitude = half.and(0x7fff);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector finite = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        IntVector special = shifted.or(0x7f800000)
                .lanewise(VectorOperators.OR, 0x00400000, magnitude.compare(VectorOperators.GT, 0x7c00));
        IntVector bits = finite.blend(special, magnitude.compare(VectorOperators.GE, 0x7c00));
        return bits.or(half.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    /** Decodes {@code FLOATS.length()} little-endian BF16 values starting at {@code byteOffset}. */
    public static FloatVector decodeBF16(MemorySegment segment, long byteOffset) {
        IntVector half = (IntVector) ShortVector.fromMemorySegment(SHORTS, segment, byteOffset, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.S2I, INTS, 0);
        return half.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }
}

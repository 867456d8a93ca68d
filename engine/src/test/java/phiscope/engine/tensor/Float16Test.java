package phiscope.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class Float16Test {

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * All 65,536 patterns, written little-endian and decoded in vectors, bit for bit as the JDK
     * decodes them. Signalling NaNs are the one place the JDK's own result depends on the JIT tier
     * (its Java code keeps the payload as is, the F16C intrinsic quiets it); we always quiet them,
     * as IEEE 754 conversion does, and check sign and payload.
     */
    @Test
    void decodeOfEveryConsecutiveF16PatternIsExact() {
        // An odd start offset checks unaligned loads; the count leaves a scalar tail.
        float[] decoded = new float[65536];
        Float16.decodeF16(allPatterns(1), 1, 65536 - 3, decoded, 0);
        assertDecoded(decoded, 65536 - 3, i -> i, true);
    }

    @Test
    void decodeOfEveryConsecutiveBF16PatternIsExact() {
        float[] decoded = new float[65536];
        Float16.decodeBF16(allPatterns(1), 1, 65536 - 3, decoded, 0);
        assertDecoded(decoded, 65536 - 3, i -> i, false);
    }

    @Test
    void hardwareDecodeIsExactForEveryFinitePattern() {
        float[] decoded = new float[65536];
        MemorySegment patterns = allPatterns(1);
        // Often enough that the JIT has compiled the loop to vector conversions by the last run.
        for (int run = 0; run < 300; run++) {
            Float16.decodeFiniteF16(patterns, 1, 65536, decoded, 0);
        }
        for (int i = 0; i < 65536; i++) {
            short bits = (short) i;
            if (!Float16.isSpecial(bits)) {
                assertEquals(Float.floatToRawIntBits(Float.float16ToFloat(bits)), Float.floatToRawIntBits(decoded[i]),
                        String.format("pattern 0x%04x", bits & 0xffff));
            }
        }
    }

    /** Every pattern 0..65535 in order, little-endian, from byte {@code offset}. */
    private static MemorySegment allPatterns(int offset) {
        MemorySegment segment = Arena.ofAuto().allocate(2 * 65536 + 2);
        for (int bits = 0; bits < 65536; bits++) {
            segment.set(HALF, offset + 2L * bits, (short) bits);
        }
        return segment;
    }

    private static void assertDecoded(float[] decoded, int count, java.util.function.IntUnaryOperator patternAt, boolean f16) {
        for (int i = 0; i < count; i++) {
            short bits = (short) patternAt.applyAsInt(i);
            float expected = f16 ? Float.float16ToFloat(bits) : Float.intBitsToFloat(bits << 16);
            int expectedBits = Float.floatToRawIntBits(expected);
            if (f16 && Float.isNaN(expected)) {
                expectedBits |= 0x00400000;
            }
            assertEquals(expectedBits, Float.floatToRawIntBits(decoded[i]), String.format("pattern 0x%04x", bits & 0xffff));
        }
    }

    @Test
    void bfloat16RoundsToNearestEven() {
        assertEquals((short) 0x3f80, Float16.bfloat16FromFloat(1.0f));
        // 1 + 2^-8 is exactly half way between two bfloat16 values: ties go to the even one (1.0).
        assertEquals((short) 0x3f80, Float16.bfloat16FromFloat(1.00390625f));
        // 1 + 3 * 2^-8 is half way too, and rounds up to the even 1 + 2^-6.
        assertEquals((short) 0x3f82, Float16.bfloat16FromFloat(1.01171875f));
    }
}

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
    void vectorDecodeOfEveryF16PatternIsExact() {
        assertEveryPattern(true);
    }

    @Test
    void vectorDecodeOfEveryBF16PatternIsExact() {
        assertEveryPattern(false);
    }

    private static void assertEveryPattern(boolean f16) {
        int lanes = VectorMath.LANES;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(2 * 65536 + 2);
            // An odd start offset also checks unaligned loads.
            for (int bits = 0; bits < 65536; bits++) {
                segment.set(HALF, 1 + 2L * bits, (short) bits);
            }
            float[] decoded = new float[lanes];
            for (int first = 0; first < 65536; first += lanes) {
                (f16 ? Float16.decodeF16(segment, 1 + 2L * first) : Float16.decodeBF16(segment, 1 + 2L * first))
                        .intoArray(decoded, 0);
                for (int lane = 0; lane < lanes; lane++) {
                    short bits = (short) (first + lane);
                    float expected = f16 ? Float.float16ToFloat(bits) : Float.intBitsToFloat(bits << 16);
                    int expectedBits = Float.floatToRawIntBits(expected);
                    if (f16 && Float.isNaN(expected)) {
                        expectedBits |= 0x00400000;
                    }
                    assertEquals(expectedBits, Float.floatToRawIntBits(decoded[lane]),
                            () -> String.format("pattern 0x%04x", bits & 0xffff));
                }
            }
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

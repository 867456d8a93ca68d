package phiscope.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WeightMatrixTest {

    /** Sizes that are not multiples of the vector length or of the 4-row and 2-token tiles. */
    private static final int ROWS = 37;
    private static final int COLS = 83;

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void everyTokenCountGivesTheSameBitsAsOneTokenAtATime(DType dtype) {
        SplittableRandom random = new SplittableRandom(7);
        try (Arena arena = Arena.ofConfined()) {
            WeightMatrix w = randomMatrix(arena, dtype, random);
            int tokens = 9;
            float[] x = new float[tokens * COLS];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            float[] together = new float[tokens * ROWS];
            w.multiply(x, tokens, together, 0, ROWS);
            for (int t = 0; t < tokens; t++) {
                float[] alone = new float[ROWS];
                w.multiply(java.util.Arrays.copyOfRange(x, t * COLS, (t + 1) * COLS), 1, alone, 0, ROWS);
                for (int r = 0; r < ROWS; r++) {
                    assertEquals(Float.floatToRawIntBits(alone[r]), Float.floatToRawIntBits(together[t * ROWS + r]),
                            "token " + t + " row " + r);
                    double exact = 0;
                    for (int c = 0; c < COLS; c++) {
                        exact += (double) w.get(r, c) * x[t * COLS + c];
                    }
                    assertEquals(exact, alone[r], 1e-4, "token " + t + " row " + r);
                }
            }
            // A row range in the middle (as a second thread computes it) gives the same values.
            float[] part = new float[tokens * ROWS];
            w.multiply(x, tokens, part, 5, 30);
            for (int t = 0; t < tokens; t++) {
                assertArrayEquals(java.util.Arrays.copyOfRange(together, t * ROWS + 5, t * ROWS + 30),
                        java.util.Arrays.copyOfRange(part, t * ROWS + 5, t * ROWS + 30));
            }
        }
    }

    private static WeightMatrix randomMatrix(Arena arena, DType dtype, SplittableRandom random) {
        MemorySegment data = arena.allocate((long) ROWS * COLS * dtype.bytes());
        for (long i = 0; i < (long) ROWS * COLS; i++) {
            float v = (float) random.nextGaussian();
            switch (dtype) {
                case F32 -> data.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4 * i, v);
                case F16 -> data.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2 * i, Float16.fromFloat(v));
                default -> data.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2 * i, Float16.bfloat16FromFloat(v));
            }
        }
        return WeightMatrix.of("w", dtype, ROWS, COLS, data);
    }
}

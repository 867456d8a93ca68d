package phiscope.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WeightMatrixTest {

    /** Two full panels and a partial one; columns over three decode chunks, not a multiple of anything. */
    static final int ROWS = 2 * WeightMatrix.PANEL + 22;
    static final int COLS = 2 * Gemm.DEPTH + 45;
    /** Two six-token tiles and a remainder of one. */
    static final int TOKENS = 2 * Gemm.TOKENS + 1;

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void everyTokenCountStorageAndThreadSplitGivesTheSameBits(DType dtype) {
        SplittableRandom random = new SplittableRandom(7);
        try (Arena arena = Arena.ofShared(); WeightMemory memory = new WeightMemory(); WorkerPool pool = new WorkerPool(2)) {
            RowMajorMatrix mapped = randomMatrix(arena, dtype, ROWS, COLS, random);
            PackedMatrix packed = PackedMatrix.pack(mapped, mapped.format(), memory, pool);
            float[] x = gaussians(TOKENS * COLS, random);
            float[] together = multiply(mapped, x, TOKENS);
            assertBitsEqual(together, multiply(packed, x, TOKENS), "packed against mapped");
            for (int t = 0; t < TOKENS; t++) {
                float[] alone = multiply(packed, Arrays.copyOfRange(x, t * COLS, (t + 1) * COLS), 1);
                assertBitsEqual(Arrays.copyOfRange(together, t * ROWS, (t + 1) * ROWS), alone, "token " + t + " alone");
                for (int r = 0; r < ROWS; r++) {
                    double exact = 0;
                    for (int c = 0; c < COLS; c++) {
                        exact += (double) mapped.get(r, c) * x[t * COLS + c];
                    }
                    assertEquals(exact, alone[r], 1e-4, "token " + t + " row " + r);
                }
            }
            // The panels a second thread computes give the same values as a whole pass.
            float[] part = new float[TOKENS * ROWS];
            packed.multiply(x, TOKENS, part, 1, packed.panels());
            for (int t = 0; t < TOKENS; t++) {
                assertBitsEqual(Arrays.copyOfRange(together, t * ROWS + WeightMatrix.PANEL, (t + 1) * ROWS),
                        Arrays.copyOfRange(part, t * ROWS + WeightMatrix.PANEL, (t + 1) * ROWS), "token " + t + " panels 1..");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void packedRowsDecodeToTheCheckpointsValues(DType dtype) {
        try (Arena arena = Arena.ofShared(); WeightMemory memory = new WeightMemory(); WorkerPool pool = new WorkerPool(1)) {
            RowMajorMatrix mapped = randomMatrix(arena, dtype, ROWS, COLS, new SplittableRandom(3));
            PackedMatrix packed = PackedMatrix.pack(mapped, mapped.format(), memory, pool);
            float[] expected = new float[ROWS * COLS];
            float[] actual = new float[ROWS * COLS];
            mapped.decodeRows(0, ROWS, expected, 0);
            packed.decodeRows(0, ROWS, actual, 0);
            assertBitsEqual(expected, actual, "decoded rows");
            assertEquals(mapped.byteSize(), (long) ROWS * COLS * dtype.bytes());
        }
    }

    @Test
    void packingKeepsTheRawBitsOfEveryHalfPattern() {
        // All 65,536 F16 bit patterns (NaN payloads included) go through packing unchanged.
        int rows = HALF_PATTERNS;
        int cols = HALF_PATTERNS;
        try (Arena arena = Arena.ofShared(); WeightMemory memory = new WeightMemory(); WorkerPool pool = new WorkerPool(1)) {
            PackedMatrix packed = halfPatterns(arena, memory, pool, false);
            for (int i = 0; i < rows * cols; i++) {
                float expected = Float.float16ToFloat((short) i);
                float actual = packed.element(i / cols, i % cols);
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), "pattern " + i);
            }
            // With infinities and NaNs among the weights a single token takes the prompt path, and
            // its results are the first of two tokens' (an in-register decode would read an
            // infinity as 65536).
            float[] x = gaussians(cols, new SplittableRandom(5));
            float[] twice = Arrays.copyOf(x, 2 * cols);
            System.arraycopy(x, 0, twice, cols, cols);
            assertBitsEqual(Arrays.copyOf(multiply(packed, twice, 2), rows), multiply(packed, x, 1), "one token");
            // The kernels' panel decode sees infinities and NaNs too (NaNs quieted, as Float16 says).
            float[] panel = new float[Gemm.DEPTH * WeightMatrix.PANEL];
            for (int p = 0; p < packed.panels(); p++) {
                for (int k0 = 0; k0 < cols; k0 += Gemm.DEPTH) {
                    packed.decodePanel(p, k0, Gemm.DEPTH, panel);
                    for (int k = 0; k < Gemm.DEPTH; k++) {
                        for (int j = 0; j < WeightMatrix.PANEL; j++) {
                            short bits = (short) ((p * WeightMatrix.PANEL + j) * cols + k0 + k);
                            int expected = Float.floatToRawIntBits(Float.float16ToFloat(bits));
                            if (Float16.isSpecial(bits) && (bits & 0x3ff) != 0) {
                                expected |= 0x00400000;
                            }
                            assertEquals(expected, Float.floatToRawIntBits(panel[k * WeightMatrix.PANEL + j]),
                                    String.format("pattern 0x%04x in a panel", bits & 0xffff));
                        }
                    }
                }
            }
        }
    }

    @Test
    void theDecodeStepMultipliesEveryFiniteHalfPatternExactly() {
        // Every finite F16 pattern, subnormals and both zeros included, once as a weight; the
        // infinities and NaNs are left out (zero here), as they send a matrix to the prompt path.
        int rows = HALF_PATTERNS;
        int cols = HALF_PATTERNS;
        try (Arena arena = Arena.ofShared(); WeightMemory memory = new WeightMemory(); WorkerPool pool = new WorkerPool(1)) {
            PackedMatrix packed = halfPatterns(arena, memory, pool, true);
            float[] x = new float[cols];
            for (int c = 0; c < cols; c++) {
                // A one-hot token reads column c: 0 + w * 1 is w, but +0 for a weight of -0.
                Arrays.fill(x, 0f);
                x[c] = 1f;
                float[] y = multiply(packed, x, 1);
                for (int r = 0; r < rows; r++) {
                    short bits = (short) (r * cols + c);
                    float expected = (Float16.isSpecial(bits) ? 0f : Float.float16ToFloat(bits)) + 0f;
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(y[r]),
                            String.format("pattern 0x%04x", bits & 0xffff));
                }
            }
        }
    }

    /** Rows and columns of {@link #halfPatterns}: one weight per F16 bit pattern. */
    static final int HALF_PATTERNS = 256;

    /** Weight {@code (r, c)} is the F16 pattern {@code r * 256 + c}; with {@code finiteOnly}, zero for infinities and NaNs. */
    static PackedMatrix halfPatterns(Arena arena, WeightMemory memory, WorkerPool pool, boolean finiteOnly) {
        int count = HALF_PATTERNS * HALF_PATTERNS;
        MemorySegment data = arena.allocate(2L * count);
        for (int i = 0; i < count; i++) {
            short bits = finiteOnly && Float16.isSpecial((short) i) ? 0 : (short) i;
            data.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2L * i, bits);
        }
        return PackedMatrix.pack(new RowMajorMatrix("patterns", DType.F16, HALF_PATTERNS, HALF_PATTERNS, data),
                WeightFormat.F16, memory, pool);
    }

    static float[] multiply(WeightMatrix w, float[] x, int tokens) {
        float[] y = new float[tokens * w.rows()];
        w.multiply(x, tokens, y, 0, w.panels());
        return y;
    }

    static void assertBitsEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                assertArrayEquals(expected, actual, what + ": first difference at " + i);
            }
        }
    }

    static float[] gaussians(int n, SplittableRandom random) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    static RowMajorMatrix randomMatrix(Arena arena, DType dtype, int rows, int cols, SplittableRandom random) {
        MemorySegment data = arena.allocate((long) rows * cols * dtype.bytes());
        for (long i = 0; i < (long) rows * cols; i++) {
            float v = (float) random.nextGaussian();
            switch (dtype) {
                case F32 -> data.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4 * i, v);
                case F16 -> data.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2 * i, Float16.fromFloat(v));
                default -> data.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2 * i, Float16.bfloat16FromFloat(v));
            }
        }
        return new RowMajorMatrix("w", dtype, rows, cols, data);
    }
}

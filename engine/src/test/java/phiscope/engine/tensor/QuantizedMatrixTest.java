package phiscope.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static phiscope.engine.tensor.WeightMatrixTest.COLS;
import static phiscope.engine.tensor.WeightMatrixTest.ROWS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class QuantizedMatrixTest {

    private static final float STEP = 0x1p-4f;
    /** Q4_0's tiles: one of twelve tokens, one of four and a remainder of one (Q8_0's: two of six and five of one). */
    private static final int TOKENS = Q4Gemm.TOKENS + 4 + 1;

    @Test
    void q8RoundsHalvesAwayFromZeroAsCsRoundf() {
        // amax = 127 steps, so the scale is exactly one step and q = v / step before rounding.
        float[] block = new float[WeightFormat.BLOCK];
        block[0] = 127 * STEP;
        block[1] = 2.5f * STEP;
        block[2] = -2.5f * STEP;
        block[3] = -0.49f * STEP;
        block[4] = -126.5f * STEP;
        byte[] q = new byte[WeightFormat.BLOCK];
        short scale = Quantization.q8(block, 0, block.length, q);
        assertEquals(STEP, Float16.toFloat(scale));
        assertArrayEquals(new byte[] {127, 3, -3, 0, -127}, Arrays.copyOf(q, 5));
    }

    @Test
    void q4TakesItsScaleFromTheWeightOfLargestMagnitudeWithItsSign() {
        float[] block = new float[WeightFormat.BLOCK];
        block[0] = -8 * STEP;      // the largest magnitude, negative: d = -8 step / -8 = step
        block[1] = 7 * STEP;       // 7 + 8.5 = 15.5 -> 15
        block[2] = 7.9f * STEP;    // 16.4 -> 16, clamped to 15
        block[3] = 3.5f * STEP;    // 12.0 -> 12
        block[4] = -2.6f * STEP;   // 5.9 -> 5 (truncation, as C's cast)
        byte[] q = new byte[WeightFormat.BLOCK];
        short scale = Quantization.q4(block, 0, 5, q);
        assertEquals(STEP, Float16.toFloat(scale));
        assertArrayEquals(new byte[] {0, 15, 15, 12, 5, 8}, Arrays.copyOf(q, 6), "the padding past n is zero, q = 8");
    }

    /**
     * Scales decode exactly whatever their size: a one-hot token times Q8_0 weights is each
     * weight's own value {@code q * d}, alone and in a prompt, for rows whose float16 scales are
     * normal, subnormal or zero: a scale decode that mishandles the small ones fails here.
     */
    @Test
    void q8ScalesDecodeExactlyWhenSubnormalOrZero() {
        float[] magnitudes = {1f, 1e-3f, 3e-6f, 2e-7f, 0f};
        try (Arena arena = Arena.ofShared(); WeightMemory memory = new WeightMemory(); WorkerPool pool = new WorkerPool(2)) {
            MemorySegment data = arena.allocate((long) ROWS * COLS * 4);
            SplittableRandom random = new SplittableRandom(5);
            for (int r = 0; r < ROWS; r++) {
                for (int c = 0; c < COLS; c++) {
                    float w = (float) random.nextGaussian() * magnitudes[r % magnitudes.length];
                    data.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, (long) r * COLS + c, w);
                }
            }
            Q8Matrix quantized = (Q8Matrix) PackedMatrix.pack(new RowMajorMatrix("w", DType.F32, ROWS, COLS, data), WeightFormat.Q8_0, memory, pool);
            boolean subnormal = false;
            for (int c = 0; c < COLS; c++) {
                float[] x = new float[2 * COLS];
                x[c] = 1f;
                x[COLS + (c + 1) % COLS] = 1f;
                float[] alone = WeightMatrixTest.multiply(quantized, Arrays.copyOf(x, COLS), 1);
                float[] together = WeightMatrixTest.multiply(quantized, x, 2);
                for (int r = 0; r < ROWS; r++) {
                    float weight = quantized.element(r, c);
                    float next = quantized.element(r, (c + 1) % COLS);
                    float scale = quantized.scale(quantized.block(r / PackedMatrix.PANEL, c), r % PackedMatrix.PANEL);
                    subnormal |= scale > 0f && scale < 0x1p-14f;
                    // == rather than bits: a zero weight times 1 summed from +0 is +0 whatever its sign.
                    assertTrue(weight == alone[r], "row " + r + " col " + c + ": " + alone[r] + ", not " + weight);
                    assertTrue(weight == together[r], "prompt, row " + r + " col " + c + ": " + together[r] + ", not " + weight);
                    assertTrue(next == together[ROWS + r], "prompt token 2, row " + r + ": " + together[ROWS + r] + ", not " + next);
                }
            }
            assertTrue(subnormal, "some rows have float16-subnormal scales");
        }
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q8_0", "Q4_0"})
    void quantizedMatricesMultiplyByTheirDequantizedValuesWithTheSameBitsForEveryTokenCount(WeightFormat format) {
        SplittableRandom random = new SplittableRandom(11);
        try (Arena arena = Arena.ofShared(); WeightMemory memory = new WeightMemory(); WorkerPool pool = new WorkerPool(2)) {
            RowMajorMatrix source = WeightMatrixTest.randomMatrix(arena, DType.F16, ROWS, COLS, random);
            PackedMatrix quantized = PackedMatrix.pack(source, format, memory, pool);
            assertEquals(format, quantized.format());
            float[] x = WeightMatrixTest.gaussians(TOKENS * COLS, random);
            float[] together = WeightMatrixTest.multiply(quantized, x, TOKENS);
            for (int t = 0; t < TOKENS; t++) {
                float[] alone = WeightMatrixTest.multiply(quantized, Arrays.copyOfRange(x, t * COLS, (t + 1) * COLS), 1);
                WeightMatrixTest.assertBitsEqual(Arrays.copyOfRange(together, t * ROWS, (t + 1) * ROWS), alone, "token " + t);
                // Q4_0 multiplies by the activations' Q8_0, as llama.cpp does.
                float[] activations = format == WeightFormat.Q4_0 ? q8Values(x, t * COLS, COLS) : Arrays.copyOfRange(x, t * COLS, (t + 1) * COLS);
                for (int r = 0; r < ROWS; r++) {
                    double exact = 0;
                    for (int c = 0; c < COLS; c++) {
                        exact += (double) quantized.element(r, c) * activations[c];
                    }
                    assertEquals(exact, alone[r], 1e-4, "token " + t + " row " + r);
                }
            }
            // Each weight is within half a step d = amax / 127 of the original in Q8_0, within a step
            // d = amax / 8 in Q4_0 (whose 16 levels reach -8 d but only +7 d), plus the float16
            // rounding of d, at most 2^-11 d per unit of q.
            for (int r = 0; r < ROWS; r++) {
                for (int b = 0; b * WeightFormat.BLOCK < COLS; b++) {
                    double amax = 0;
                    int end = Math.min(COLS, (b + 1) * WeightFormat.BLOCK);
                    for (int c = b * WeightFormat.BLOCK; c < end; c++) {
                        amax = Math.max(amax, Math.abs(source.get(r, c)));
                    }
                    double step = format == WeightFormat.Q8_0 ? amax / 127 : amax / 8;
                    double allowed = format == WeightFormat.Q8_0 ? step * (0.5 + 127 / 2048.0) : step * (1 + 8 / 2048.0);
                    for (int c = b * WeightFormat.BLOCK; c < end; c++) {
                        double error = Math.abs(source.get(r, c) - quantized.element(r, c));
                        assertTrue(error <= allowed * 1.0001, "row " + r + " col " + c + ": error " + error + " > " + allowed);
                    }
                }
            }
        }
    }

    @Test
    void activationsRoundToTheNearestIntegerWithTiesToEven() {
        float[] x = new float[WeightFormat.BLOCK + 3];
        x[0] = 127 * STEP;
        x[1] = 2.5f * STEP;
        x[2] = -2.5f * STEP;
        x[3] = 3.5f * STEP;
        x[4] = -126.5f * STEP;
        x[WeightFormat.BLOCK] = -4f;    // a partial last block of three, d = 4 / 127
        x[WeightFormat.BLOCK + 1] = 2f;
        short[] q = new short[x.length];
        float[] scales = new float[2];
        Quantization.q8Activations(x, 1, x.length, q, scales);
        assertArrayEquals(new short[] {127, 2, -2, 4, -126}, Arrays.copyOf(q, 5));
        assertEquals(STEP, scales[0]);
        assertArrayEquals(new short[] {-127, 64, 0}, Arrays.copyOfRange(q, WeightFormat.BLOCK, x.length));
        assertEquals(Float16.toFloat(Float16.fromFloat(4f / 127)), scales[1]);
    }

    /** An independent Q8_0 of {@code n} activations from {@code from}, dequantized: {@code q d} per value. */
    private static float[] q8Values(float[] x, int from, int n) {
        float[] values = new float[n];
        for (int b = 0; b < n; b += WeightFormat.BLOCK) {
            int end = Math.min(n, b + WeightFormat.BLOCK);
            float amax = 0;
            for (int i = b; i < end; i++) {
                amax = Math.max(amax, Math.abs(x[from + i]));
            }
            float d = amax / 127;
            float id = d == 0 ? 0 : 1 / d;
            float stored = Float16.toFloat(Float16.fromFloat(d));
            for (int i = b; i < end; i++) {
                values[i] = (float) Math.rint(x[from + i] * id) * stored;
            }
        }
        return values;
    }

    @Test
    void quantizedSizesAreLlamaCppsBytesPerBlock() {
        try (Arena arena = Arena.ofShared(); WeightMemory memory = new WeightMemory(); WorkerPool pool = new WorkerPool(1)) {
            int rows = 2 * WeightMatrix.PANEL;
            int cols = 4 * WeightFormat.BLOCK;
            RowMajorMatrix source = WeightMatrixTest.randomMatrix(arena, DType.F32, rows, cols, new SplittableRandom(1));
            long blocks = (long) rows * cols / WeightFormat.BLOCK;
            assertEquals(34 * blocks, PackedMatrix.pack(source, WeightFormat.Q8_0, memory, pool).byteSize());
            assertEquals(18 * blocks, PackedMatrix.pack(source, WeightFormat.Q4_0, memory, pool).byteSize());
        }
    }
}

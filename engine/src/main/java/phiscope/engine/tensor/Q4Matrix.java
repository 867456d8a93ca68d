package phiscope.engine.tensor;

import static phiscope.engine.tensor.VectorMath.F;
import static phiscope.engine.tensor.VectorMath.LANES;
import static phiscope.engine.tensor.WeightFormat.BLOCK;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * llama.cpp's Q4_0: each run of 32 weights along a row is {@code (q - 8) * d} with a float16
 * scale {@code d} and 4-bit integers {@code q}. In a panel, each block of 32 columns holds the
 * PANEL scales, then 16 column pairs of PANEL bytes: the low nibble is the even column, the
 * high nibble the odd one. A nibble holds {@code q - 8} in two's complement, so that two shifts
 * of a sign-extended byte give the weight's integer without a mask or a subtraction.
 */
public final class Q4Matrix extends BlockQuantizedMatrix {

    private static final VectorSpecies<Short> SHORTS = Q4Gemm.SHORTS;
    /** The bytes of half a panel's rows, which widen to one vector of {@link #SHORTS}. */
    private static final VectorSpecies<Byte> HALF_PANEL = VectorSpecies.of(byte.class, VectorShape.forBitSize(PANEL / 2 * 8));
    private static final ThreadScratch<short[]> QUANTIZED = ThreadScratch.shorts();
    private static final ThreadScratch<float[]> ACTIVATION_SCALES = ThreadScratch.floats();

    Q4Matrix(String name, int rows, int cols, WeightMemory memory) {
        super(name, rows, cols, memory, BLOCK / 2);
    }

    @Override
    public WeightFormat format() {
        return WeightFormat.Q4_0;
    }

    @Override
    short quantize(float[] row, int from, int n, byte[] q) {
        return Quantization.q4(row, from, n, q);
    }

    @Override
    void storeQuants(long quants, int j, byte[] q) {
        for (int pair = 0; pair < BLOCK / 2; pair++) {
            byte both = (byte) ((q[2 * pair] - 8) & 0x0f | (q[2 * pair + 1] - 8) << 4);
            data.set(ValueLayout.JAVA_BYTE, quants + (long) pair * PANEL + j, both);
        }
    }

    @Override
    float element(int row, int col) {
        int j = row % PANEL;
        long block = block(row / PANEL, col);
        int both = data.get(ValueLayout.JAVA_BYTE, quants(block) + (long) (col % BLOCK / 2) * PANEL + j);
        return (col % 2 == 0 ? both << 28 >> 28 : both >> 4) * scale(block, j);
    }

    /**
     * Multiplies by the activations' Q8_0 ({@link Quantization#q8Activations}), as llama.cpp
     * multiplies Q4_0 weights: each block's sum is an exact integer, scaled once by the product
     * of the weights' and the activations' scales. A prompt runs in the 16-bit tiles of
     * {@link Q4Gemm}, the decode step in {@link #multiplyToken}; both give the same bits.
     */
    @Override
    public void multiply(float[] x, int tokens, float[] y, int firstPanel, int endPanel) {
        int blocks = (cols + BLOCK - 1) / BLOCK;
        short[] quantized = QUANTIZED.atLeast(tokens * cols);
        float[] activationScales = ACTIVATION_SCALES.atLeast(tokens * blocks);
        Quantization.q8Activations(x, tokens, cols, quantized, activationScales);
        if (tokens != 1) {
            Q4Gemm.multiply(this, quantized, activationScales, tokens, y, firstPanel, endPanel);
            return;
        }
        float[] tile = TILE.get();
        float[] scales = scaleBuffer();
        for (int p = firstPanel; p < endPanel; p++) {
            multiplyToken(quantized, activationScales, p, scales, tile);
            storeRows(tile, p, y);
        }
    }

    /**
     * Panel {@code p} times one token's quantized activations {@code q}: a column pair's bytes
     * widen to 16-bit lanes, two vectors per panel, where shifts separate the nibbles, and each
     * weight costs half a multiply and half an add (against a conversion and an FMA in float32:
     * 0.66 times the time in cache, {@code compare-builds HEAD~1 2000 kernel q4_0 2560x2560 1 1
     * warm} on a Zen 5). A block's sum of 32 products of at most 8 x 127 stays within 16 bits.
     */
    private void multiplyToken(short[] q, float[] activationScales, int p, float[] scales, float[] tile) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        for (int k0 = 0, b = 0; k0 < cols; k0 += BLOCK, b++) {
            long block = block(p, k0);
            MemorySegment quants = blockQuants(block);
            ShortVector a0 = ShortVector.zero(SHORTS), a1 = a0;
            for (int j = 0, n = Math.min(BLOCK, cols - k0); j < n; j += 2) {
                long at = (long) j / 2 * PANEL;
                ShortVector w0 = (ShortVector) ByteVector.fromMemorySegment(HALF_PANEL, quants, at, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, SHORTS, 0);
                ShortVector w1 = (ShortVector) ByteVector.fromMemorySegment(HALF_PANEL, quants, at + PANEL / 2, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, SHORTS, 0);
                ShortVector even = ShortVector.broadcast(SHORTS, q[k0 + j]);
                a0 = a0.add(w0.lanewise(VectorOperators.LSHL, 12).lanewise(VectorOperators.ASHR, 12).mul(even));
                a1 = a1.add(w1.lanewise(VectorOperators.LSHL, 12).lanewise(VectorOperators.ASHR, 12).mul(even));
                if (j + 1 == n) {
                    break;
                }
                ShortVector odd = ShortVector.broadcast(SHORTS, q[k0 + j + 1]);
                a0 = a0.add(w0.lanewise(VectorOperators.ASHR, 4).mul(odd));
                a1 = a1.add(w1.lanewise(VectorOperators.ASHR, 4).mul(odd));
            }
            decodeScales(block, scales, 0);
            float d = activationScales[b];
            c0 = ((FloatVector) a0.convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.fromArray(F, scales, 0).mul(d), c0);
            c1 = ((FloatVector) a0.convertShape(VectorOperators.S2F, F, 1)).fma(FloatVector.fromArray(F, scales, LANES).mul(d), c1);
            c2 = ((FloatVector) a1.convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.fromArray(F, scales, 2 * LANES).mul(d), c2);
            c3 = ((FloatVector) a1.convertShape(VectorOperators.S2F, F, 1)).fma(FloatVector.fromArray(F, scales, 3 * LANES).mul(d), c3);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, LANES);
        c2.intoArray(tile, 2 * LANES);
        c3.intoArray(tile, 3 * LANES);
    }

    /**
     * Unpacks the block at {@code block} into {@code weights} k-major, {@code q - 8} as 16-bit
     * integers: {@code weights[c * PANEL + j]} is row {@code j}'s weight in column {@code c}.
     * Both columns of the last pair are written; past an odd last column that is padding, 0.
     */
    void decodeBlock(long block, short[] weights) {
        MemorySegment quants = blockQuants(block);
        for (int pair = 0; pair < BLOCK / 2; pair++) {
            for (int h = 0; h < PANEL; h += PANEL / 2) {
                ShortVector both = (ShortVector) ByteVector.fromMemorySegment(HALF_PANEL, quants, (long) pair * PANEL + h,
                        ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, SHORTS, 0);
                both.lanewise(VectorOperators.LSHL, 12).lanewise(VectorOperators.ASHR, 12).intoArray(weights, 2 * pair * PANEL + h);
                both.lanewise(VectorOperators.ASHR, 4).intoArray(weights, (2 * pair + 1) * PANEL + h);
            }
        }
    }

    /** Never called: Q4_0 multiplies by quantized activations in kernels of its own, not in {@link Gemm}'s float tiles. */
    @Override
    void decodePanel(int panel, int k0, int depth, float[] dst) {
        throw new UnsupportedOperationException(name + ": Q4_0 panels are multiplied by Q4Gemm, not decoded to floats");
    }
}

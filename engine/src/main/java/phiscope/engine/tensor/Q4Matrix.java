package phiscope.engine.tensor;

import static phiscope.engine.tensor.VectorMath.F;
import static phiscope.engine.tensor.VectorMath.INTS;
import static phiscope.engine.tensor.VectorMath.LANES;
import static phiscope.engine.tensor.WeightFormat.BLOCK;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * llama.cpp's Q4_0: each run of 32 weights along a row is {@code (q - 8) * d} with a float16
 * scale {@code d} and 4-bit integers {@code q}. In a panel, each block of 32 columns holds the
 * PANEL scales, then 16 column pairs of PANEL bytes: the low nibble is the even column, the
 * high nibble the odd one. A nibble holds {@code q - 8} in two's complement, so that two shifts
 * of a sign-extended byte give the weight's integer without a mask or a subtraction.
 */
public final class Q4Matrix extends BlockQuantizedMatrix {

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
     * One token (the decode step): each column pair is unpacked in registers and multiplied in
     * place. A pair's bytes widen to ints once, where shifts separate the nibbles (bytes have no
     * shift instruction). Each block's sums are scaled once, as {@link Gemm} scales them, so a
     * token has the same bits alone or in a prompt.
     */
    @Override
    public void multiply(float[] x, int tokens, float[] y, int firstPanel, int endPanel) {
        if (tokens != 1) {
            super.multiply(x, tokens, y, firstPanel, endPanel);
            return;
        }
        float[] tile = TILE.get();
        float[] scales = scaleBuffer();
        for (int p = firstPanel; p < endPanel; p++) {
            FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
            for (int k0 = 0; k0 < cols; k0 += BLOCK) {
                long block = block(p, k0);
                MemorySegment quants = blockQuants(block);
                FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
                for (int j = 0, n = Math.min(BLOCK, cols - k0); j < n; j += 2) {
                    long at = (long) j / 2 * PANEL;
                    IntVector q0 = (IntVector) ByteVector.fromMemorySegment(Quantization.BYTES, quants, at, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2I, INTS, 0);
                    IntVector q1 = (IntVector) ByteVector.fromMemorySegment(Quantization.BYTES, quants, at + LANES, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2I, INTS, 0);
                    IntVector q2 = (IntVector) ByteVector.fromMemorySegment(Quantization.BYTES, quants, at + 2L * LANES, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2I, INTS, 0);
                    IntVector q3 = (IntVector) ByteVector.fromMemorySegment(Quantization.BYTES, quants, at + 3L * LANES, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2I, INTS, 0);
                    FloatVector even = FloatVector.broadcast(F, x[k0 + j]);
                    s0 = ((FloatVector) q0.lanewise(VectorOperators.LSHL, 28).lanewise(VectorOperators.ASHR, 28).convert(VectorOperators.I2F, 0)).fma(even, s0);
                    s1 = ((FloatVector) q1.lanewise(VectorOperators.LSHL, 28).lanewise(VectorOperators.ASHR, 28).convert(VectorOperators.I2F, 0)).fma(even, s1);
                    s2 = ((FloatVector) q2.lanewise(VectorOperators.LSHL, 28).lanewise(VectorOperators.ASHR, 28).convert(VectorOperators.I2F, 0)).fma(even, s2);
                    s3 = ((FloatVector) q3.lanewise(VectorOperators.LSHL, 28).lanewise(VectorOperators.ASHR, 28).convert(VectorOperators.I2F, 0)).fma(even, s3);
                    if (j + 1 == n) {
                        break;
                    }
                    FloatVector odd = FloatVector.broadcast(F, x[k0 + j + 1]);
                    s0 = ((FloatVector) q0.lanewise(VectorOperators.ASHR, 4).convert(VectorOperators.I2F, 0)).fma(odd, s0);
                    s1 = ((FloatVector) q1.lanewise(VectorOperators.ASHR, 4).convert(VectorOperators.I2F, 0)).fma(odd, s1);
                    s2 = ((FloatVector) q2.lanewise(VectorOperators.ASHR, 4).convert(VectorOperators.I2F, 0)).fma(odd, s2);
                    s3 = ((FloatVector) q3.lanewise(VectorOperators.ASHR, 4).convert(VectorOperators.I2F, 0)).fma(odd, s3);
                }
                decodeScales(block, scales, 0);
                c0 = s0.fma(FloatVector.fromArray(F, scales, 0), c0);
                c1 = s1.fma(FloatVector.fromArray(F, scales, LANES), c1);
                c2 = s2.fma(FloatVector.fromArray(F, scales, 2 * LANES), c2);
                c3 = s3.fma(FloatVector.fromArray(F, scales, 3 * LANES), c3);
            }
            c0.intoArray(tile, 0);
            c1.intoArray(tile, LANES);
            c2.intoArray(tile, 2 * LANES);
            c3.intoArray(tile, 3 * LANES);
            storeRows(tile, p, y);
        }
    }

    /** The integers {@code q - 8}, not the weights: {@link Gemm} scales each block's sums (see there). */
    @Override
    void decodePanel(int panel, int k0, int depth, float[] dst) {
        for (int k = 0; k < depth; k += BLOCK) {
            long values = quants(block(panel, k0 + k));
            int n = Math.min(BLOCK, depth - k);
            // Both columns of a pair are written; past an odd last column the buffer has room, and
            // the kernels read only depth columns.
            for (int i = 0; i < n; i += 2) {
                long at = values + (long) (i / 2) * PANEL;
                int even = (k + i) * PANEL;
                for (int v = 0; v < PANEL; v += LANES) {
                    IntVector both = (IntVector) ByteVector.fromMemorySegment(Quantization.BYTES, data, at + v, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2I, INTS, 0);
                    ((FloatVector) both.lanewise(VectorOperators.LSHL, 28).lanewise(VectorOperators.ASHR, 28).convert(VectorOperators.I2F, 0))
                            .intoArray(dst, even + v);
                    ((FloatVector) both.lanewise(VectorOperators.ASHR, 4).convert(VectorOperators.I2F, 0))
                            .intoArray(dst, even + PANEL + v);
                }
            }
        }
    }
}

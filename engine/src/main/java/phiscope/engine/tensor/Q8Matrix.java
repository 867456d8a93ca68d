package phiscope.engine.tensor;

import static phiscope.engine.tensor.VectorMath.F;
import static phiscope.engine.tensor.VectorMath.LANES;
import static phiscope.engine.tensor.WeightFormat.BLOCK;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * llama.cpp's Q8_0: each run of 32 weights along a row is {@code d * q} with a float16 scale
 * {@code d = max|w| / 127} and integers {@code q = round(w / d)} in -127..127. In a panel, each
 * block of 32 columns holds the PANEL scales, then the 32 columns of PANEL bytes.
 */
public final class Q8Matrix extends BlockQuantizedMatrix {

    Q8Matrix(String name, int rows, int cols, WeightMemory memory) {
        super(name, rows, cols, memory, BLOCK);
    }

    @Override
    public WeightFormat format() {
        return WeightFormat.Q8_0;
    }

    @Override
    short quantize(float[] row, int from, int n, byte[] q) {
        return Quantization.q8(row, from, n, q);
    }

    @Override
    void storeQuants(long quants, int j, byte[] q) {
        for (int k = 0; k < BLOCK; k++) {
            data.set(ValueLayout.JAVA_BYTE, quants + (long) k * PANEL + j, q[k]);
        }
    }

    @Override
    float element(int row, int col) {
        int j = row % PANEL;
        long block = block(row / PANEL, col);
        return scale(block, j) * data.get(ValueLayout.JAVA_BYTE, quants(block) + (long) (col % BLOCK) * PANEL + j);
    }

    /**
     * One token (the decode step): each column's integers are widened in registers and multiplied
     * in place, for two panels at a time where there are two, so that eight chains of FMAs run
     * side by side. Each block's sums are scaled once, as {@link Gemm} scales them, so a token has
     * the same bits alone or in a prompt, and a weight costs a widening and an FMA.
     */
    @Override
    public void multiply(float[] x, int tokens, float[] y, int firstPanel, int endPanel) {
        if (tokens != 1) {
            super.multiply(x, tokens, y, firstPanel, endPanel);
            return;
        }
        float[] scales = scaleBuffer();
        float[] tile = TILE.get();
        int p = firstPanel;
        for (; p + 1 < endPanel; p += 2) {
            multiplyTwoPanels(x, p, y, scales, tile);
        }
        if (p < endPanel) {
            multiplyPanel(x, p, y, scales, tile);
        }
    }

    /** Panels {@code p} and {@code p + 1} of the decode step, written out because vectors returned by a helper are boxed. */
    private void multiplyTwoPanels(float[] x, int p, float[] y, float[] scales, float[] tile) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0, e0 = c0, e1 = c0, e2 = c0, e3 = c0;
        for (int k0 = 0; k0 < cols; k0 += BLOCK) {
            long block = block(p, k0);
            MemorySegment first = blockQuants(block);
            MemorySegment second = blockQuants(block + panelBytes);
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
            for (int j = 0, n = Math.min(BLOCK, cols - k0); j < n; j++) {
                FloatVector b = FloatVector.broadcast(F, x[k0 + j]);
                long at = (long) j * PANEL;
                s0 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, first, at, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(b, s0);
                s1 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, first, at + LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(b, s1);
                s2 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, first, at + 2L * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(b, s2);
                s3 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, first, at + 3L * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(b, s3);
                t0 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, second, at, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(b, t0);
                t1 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, second, at + LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(b, t1);
                t2 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, second, at + 2L * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(b, t2);
                t3 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, second, at + 3L * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(b, t3);
            }
            decodeScales(block, scales, 0);
            decodeScales(block + panelBytes, scales, PANEL);
            c0 = s0.fma(FloatVector.fromArray(F, scales, 0), c0);
            c1 = s1.fma(FloatVector.fromArray(F, scales, LANES), c1);
            c2 = s2.fma(FloatVector.fromArray(F, scales, 2 * LANES), c2);
            c3 = s3.fma(FloatVector.fromArray(F, scales, 3 * LANES), c3);
            e0 = t0.fma(FloatVector.fromArray(F, scales, PANEL), e0);
            e1 = t1.fma(FloatVector.fromArray(F, scales, PANEL + LANES), e1);
            e2 = t2.fma(FloatVector.fromArray(F, scales, PANEL + 2 * LANES), e2);
            e3 = t3.fma(FloatVector.fromArray(F, scales, PANEL + 3 * LANES), e3);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, LANES);
        c2.intoArray(tile, 2 * LANES);
        c3.intoArray(tile, 3 * LANES);
        storeRows(tile, p, y);
        e0.intoArray(tile, 0);
        e1.intoArray(tile, LANES);
        e2.intoArray(tile, 2 * LANES);
        e3.intoArray(tile, 3 * LANES);
        storeRows(tile, p + 1, y);
    }

    /** Panel {@code p} of the decode step, alone: the last of an odd count. */
    private void multiplyPanel(float[] x, int p, float[] y, float[] scales, float[] tile) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        for (int k0 = 0; k0 < cols; k0 += BLOCK) {
            long block = block(p, k0);
            MemorySegment quants = blockQuants(block);
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int j = 0, n = Math.min(BLOCK, cols - k0); j < n; j++) {
                FloatVector b = FloatVector.broadcast(F, x[k0 + j]);
                long at = (long) j * PANEL;
                s0 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, quants, at, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(b, s0);
                s1 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, quants, at + LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(b, s1);
                s2 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, quants, at + 2L * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(b, s2);
                s3 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, quants, at + 3L * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).fma(b, s3);
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

    /** The integers, not the weights: {@link Gemm} scales each block's sums (see there). */
    @Override
    void decodePanel(int panel, int k0, int depth, float[] dst) {
        for (int k = 0; k < depth; k += BLOCK) {
            long values = quants(block(panel, k0 + k));
            int n = Math.min(BLOCK, depth - k);
            for (int i = 0; i < n; i++) {
                long at = values + (long) i * PANEL;
                int out = (k + i) * PANEL;
                for (int v = 0; v < PANEL; v += LANES) {
                    ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, data, at + v, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2F, F, 0)).intoArray(dst, out + v);
                }
            }
        }
    }
}

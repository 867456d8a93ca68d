package phiscope.engine.tensor;

import static phiscope.engine.tensor.VectorMath.F;
import static phiscope.engine.tensor.VectorMath.LANES;
import static phiscope.engine.tensor.WeightFormat.BLOCK;

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
     * One token (the decode step): each column is widened and scaled in registers and multiplied
     * in place, for two panels at a time where there are two, so that eight chains of FMAs run
     * side by side. Each row sums its columns in the order {@link #decodePanel} and Gemm use, so
     * a token has the same bits alone or in a prompt.
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
            decodeScales(block, scales, 0);
            decodeScales(block + panelBytes, scales, PANEL);
            FloatVector d0 = FloatVector.fromArray(F, scales, 0);
            FloatVector d1 = FloatVector.fromArray(F, scales, LANES);
            FloatVector d2 = FloatVector.fromArray(F, scales, 2 * LANES);
            FloatVector d3 = FloatVector.fromArray(F, scales, 3 * LANES);
            FloatVector f0 = FloatVector.fromArray(F, scales, PANEL);
            FloatVector f1 = FloatVector.fromArray(F, scales, PANEL + LANES);
            FloatVector f2 = FloatVector.fromArray(F, scales, PANEL + 2 * LANES);
            FloatVector f3 = FloatVector.fromArray(F, scales, PANEL + 3 * LANES);
            long at = quants(block);
            for (int k = k0, end = Math.min(cols, k0 + BLOCK); k < end; k++, at += PANEL) {
                FloatVector b = FloatVector.broadcast(F, x[k]);
                long next = at + panelBytes;
                c0 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, data, at, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d0).fma(b, c0);
                c1 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, data, at + LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d1).fma(b, c1);
                c2 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, data, at + 2L * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d2).fma(b, c2);
                c3 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, data, at + 3L * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d3).fma(b, c3);
                e0 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, data, next, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(f0).fma(b, e0);
                e1 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, data, next + LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(f1).fma(b, e1);
                e2 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, data, next + 2L * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(f2).fma(b, e2);
                e3 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, data, next + 3L * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(f3).fma(b, e3);
            }
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
            decodeScales(block, scales, 0);
            FloatVector d0 = FloatVector.fromArray(F, scales, 0);
            FloatVector d1 = FloatVector.fromArray(F, scales, LANES);
            FloatVector d2 = FloatVector.fromArray(F, scales, 2 * LANES);
            FloatVector d3 = FloatVector.fromArray(F, scales, 3 * LANES);
            long at = quants(block);
            for (int k = k0, end = Math.min(cols, k0 + BLOCK); k < end; k++, at += PANEL) {
                FloatVector b = FloatVector.broadcast(F, x[k]);
                c0 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, data, at, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d0).fma(b, c0);
                c1 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, data, at + LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d1).fma(b, c1);
                c2 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, data, at + 2L * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d2).fma(b, c2);
                c3 = ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, data, at + 3L * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d3).fma(b, c3);
            }
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, LANES);
        c2.intoArray(tile, 2 * LANES);
        c3.intoArray(tile, 3 * LANES);
        storeRows(tile, p, y);
    }

    @Override
    void decodePanel(int panel, int k0, int depth, float[] dst) {
        float[] scales = scaleBuffer();
        for (int k = 0; k < depth; k += BLOCK) {
            long block = block(panel, k0 + k);
            decodeScales(block, scales, 0);
            long values = quants(block);
            int n = Math.min(BLOCK, depth - k);
            for (int i = 0; i < n; i++) {
                long at = values + (long) i * PANEL;
                int out = (k + i) * PANEL;
                for (int v = 0; v < PANEL; v += LANES) {
                    ((FloatVector) ByteVector.fromMemorySegment(Quantization.BYTES, data, at + v, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2F, F, 0))
                            .mul(FloatVector.fromArray(F, scales, v)).intoArray(dst, out + v);
                }
            }
        }
    }
}

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
public final class Q8Matrix extends PackedMatrix {

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** A block's scales, decoded one by one (a float16 vector decode costs more than it saves here). */
    private static final ThreadLocal<float[]> SCALES = ThreadLocal.withInitial(() -> new float[PANEL]);
    private static final long BLOCK_BYTES = (long) PANEL * (2 + BLOCK);

    Q8Matrix(String name, int rows, int cols, WeightMemory memory) {
        super(name, rows, cols, memory.allocate(panelBytes(cols) * ((rows + PANEL - 1) / PANEL)), panelBytes(cols));
        Quantization.requireByteLanes();
    }

    private static long panelBytes(int cols) {
        return (cols + BLOCK - 1) / BLOCK * BLOCK_BYTES;
    }

    @Override
    public WeightFormat format() {
        return WeightFormat.Q8_0;
    }

    @Override
    void packPanel(RowMajorMatrix source, int panel) {
        int count = rowsIn(panel);
        float[] row = new float[cols];
        byte[] q = new byte[BLOCK];
        for (int j = 0; j < count; j++) {
            source.decodeRows(panel * PANEL + j, 1, row, 0);
            for (int b = 0; b * BLOCK < cols; b++) {
                short scale = Quantization.q8(row, b * BLOCK, Math.min(BLOCK, cols - b * BLOCK), q);
                long block = panelOffset(panel) + b * BLOCK_BYTES;
                data.set(HALF, block + 2L * j, scale);
                for (int k = 0; k < BLOCK; k++) {
                    data.set(ValueLayout.JAVA_BYTE, block + 2L * PANEL + (long) k * PANEL + j, q[k]);
                }
            }
        }
    }

    @Override
    float element(int row, int col) {
        int j = row % PANEL;
        long block = panelOffset(row / PANEL) + col / BLOCK * BLOCK_BYTES;
        float scale = Float16.toFloat(data.get(HALF, block + 2L * j));
        return scale * data.get(ValueLayout.JAVA_BYTE, block + 2L * PANEL + (long) (col % BLOCK) * PANEL + j);
    }

    /** One token (the decode step): each column is widened and scaled in registers and multiplied in place. */
    @Override
    public void multiply(float[] x, int tokens, float[] y, int firstPanel, int endPanel) {
        if (tokens != 1) {
            super.multiply(x, tokens, y, firstPanel, endPanel);
            return;
        }
        float[] scales = SCALES.get();
        float[] tile = TILE.get();
        for (int p = firstPanel; p < endPanel; p++) {
            FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
            for (int k0 = 0; k0 < cols; k0 += BLOCK) {
                long block = panelOffset(p) + k0 / BLOCK * BLOCK_BYTES;
                for (int j = 0; j < PANEL; j++) {
                    scales[j] = Float16.toFloat(data.get(HALF, block + 2L * j));
                }
                FloatVector d0 = FloatVector.fromArray(F, scales, 0);
                FloatVector d1 = FloatVector.fromArray(F, scales, LANES);
                FloatVector d2 = FloatVector.fromArray(F, scales, 2 * LANES);
                FloatVector d3 = FloatVector.fromArray(F, scales, 3 * LANES);
                long at = block + 2L * PANEL;
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
    }

    @Override
    void decodePanel(int panel, int k0, int depth, float[] dst) {
        float[] scales = SCALES.get();
        for (int k = 0; k < depth; k += BLOCK) {
            long block = panelOffset(panel) + (k0 + k) / BLOCK * BLOCK_BYTES;
            for (int j = 0; j < PANEL; j++) {
                scales[j] = Float16.toFloat(data.get(HALF, block + 2L * j));
            }
            long values = block + 2L * PANEL;
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

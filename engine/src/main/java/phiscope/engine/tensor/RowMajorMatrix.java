package phiscope.engine.tensor;

import static phiscope.engine.tensor.VectorMath.F;
import static phiscope.engine.tensor.VectorMath.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * A float matrix in the checkpoint's own layout, row after row: a zero-copy slice of the mapped
 * file (or a copy of it). Rows decode with vector loads; panels are decoded row by row and
 * transposed into the kernels' k-major order.
 */
public final class RowMajorMatrix extends WeightMatrix {

    private static final ValueLayout.OfFloat SINGLE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ThreadLocal<float[]> ROWS = ThreadLocal.withInitial(() -> new float[PANEL * Gemm.DEPTH]);

    private final DType dtype;
    private final MemorySegment data;

    public RowMajorMatrix(String name, DType dtype, int rows, int cols, MemorySegment data) {
        super(name, rows, cols);
        if (!dtype.isWeightType()) {
            throw new IllegalArgumentException(name + ": weights must be F32, F16 or BF16, not " + dtype);
        }
        long expected = (long) rows * cols * dtype.bytes();
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException(name + ": " + rows + " x " + cols + " " + dtype + " needs " + expected
                    + " bytes, not " + data.byteSize());
        }
        this.dtype = dtype;
        this.data = data;
    }

    public DType dtype() {
        return dtype;
    }

    @Override
    public MemorySegment data() {
        return data;
    }

    @Override
    public WeightFormat format() {
        return WeightFormat.of(dtype);
    }

    @Override
    public void decodeRows(int first, int count, float[] dst, int offset) {
        for (int r = 0; r < count; r++) {
            decodeRow(first + r, 0, cols, dst, offset + r * cols);
        }
    }

    /** Columns {@code [from, from + length)} of row {@code row} into {@code dst[offset ..]}. */
    private void decodeRow(int row, int from, int length, float[] dst, int offset) {
        long base = (long) row * cols + from;
        switch (dtype) {
            case F32 -> {
                int vec = length - length % LANES;
                for (int i = 0; i < vec; i += LANES) {
                    FloatVector.fromMemorySegment(F, data, (base + i) * 4, ByteOrder.LITTLE_ENDIAN).intoArray(dst, offset + i);
                }
                for (int i = vec; i < length; i++) {
                    dst[offset + i] = data.get(SINGLE, (base + i) * 4);
                }
            }
            case F16 -> Float16.decodeF16(data, base * 2, length, dst, offset);
            default -> Float16.decodeBF16(data, base * 2, length, dst, offset);
        }
    }

    @Override
    void decodePanel(int panel, int k0, int depth, float[] dst) {
        float[] rowsBuffer = ROWS.get();
        int r0 = panel * PANEL;
        int count = Math.min(PANEL, rows - r0);
        for (int j = 0; j < count; j++) {
            decodeRow(r0 + j, k0, depth, rowsBuffer, j * depth);
        }
        for (int k = 0; k < depth; k++) {
            int out = k * PANEL;
            for (int j = 0; j < count; j++) {
                dst[out + j] = rowsBuffer[j * depth + k];
            }
            if (count < PANEL) {
                Arrays.fill(dst, out + count, out + PANEL, 0f);
            }
        }
    }
}

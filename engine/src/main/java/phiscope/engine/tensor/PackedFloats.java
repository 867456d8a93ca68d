package phiscope.engine.tensor;

import static phiscope.engine.tensor.VectorMath.F;
import static phiscope.engine.tensor.VectorMath.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * F32, F16 or BF16 weights in panels, bit for bit the checkpoint's values; rows past the end are
 * zero. F16 panels without infinities or NaNs (real checkpoints) decode through the hardware's
 * conversion ({@link Float16#decodeFiniteF16}).
 */
public final class PackedFloats extends PackedMatrix {

    private static final ValueLayout.OfFloat SINGLE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final DType dtype;
    private final int elementBytes;
    /** No F16 infinity or NaN among the weights: the decode can skip the check (cleared while packing). */
    private volatile boolean finite = true;

    PackedFloats(String name, DType dtype, int rows, int cols, WeightMemory memory) {
        this(name, dtype, rows, cols, memory, (long) cols * PANEL * dtype.bytes());
    }

    private PackedFloats(String name, DType dtype, int rows, int cols, WeightMemory memory, long panelBytes) {
        super(name, rows, cols, memory.allocate(panelBytes * ((rows + PANEL - 1) / PANEL)), panelBytes);
        this.dtype = dtype;
        this.elementBytes = dtype.bytes();
    }

    @Override
    public WeightFormat format() {
        return WeightFormat.of(dtype);
    }

    @Override
    void packPanel(RowMajorMatrix source, int panel) {
        int count = rowsIn(panel);
        int halves = elementBytes / 2;
        // Raw bits, moved as 16-bit halves (two per F32 value): a chunk of every row is staged,
        // then written out transposed, so reads and writes both stay sequential.
        int depth = Gemm.DEPTH;
        short[] staged = new short[PANEL * depth * halves];
        short[] transposed = new short[depth * PANEL * halves];
        for (int k0 = 0; k0 < cols; k0 += depth) {
            int n = Math.min(depth, cols - k0);
            for (int j = 0; j < count; j++) {
                long from = ((long) (panel * PANEL + j) * cols + k0) * elementBytes;
                MemorySegment.copy(source.data(), HALF, from, staged, j * n * halves, n * halves);
            }
            for (int j = 0; j < count; j++) {
                int to = j * halves;
                int from = j * n * halves;
                for (int k = 0; k < n; k++) {
                    transposed[to + k * PANEL * halves] = staged[from + k * halves];
                    if (halves == 2) {
                        transposed[to + k * PANEL * halves + 1] = staged[from + k * halves + 1];
                    }
                }
            }
            if (dtype == DType.F16 && finite) {
                for (int i = 0; i < count * n; i++) {
                    if (Float16.isSpecial(staged[i])) {
                        finite = false;
                        break;
                    }
                }
            }
            MemorySegment.copy(transposed, 0, data, HALF, panelOffset(panel) + (long) k0 * PANEL * elementBytes,
                    n * PANEL * halves);
        }
    }

    @Override
    float element(int row, int col) {
        long at = panelOffset(row / PANEL) + ((long) col * PANEL + row % PANEL) * elementBytes;
        return switch (dtype) {
            case F32 -> data.get(SINGLE, at);
            case F16 -> Float16.toFloat(data.get(HALF, at));
            default -> Float16.bfloat16ToFloat(data.get(HALF, at));
        };
    }

    @Override
    void decodePanel(int panel, int k0, int depth, float[] dst) {
        long base = panelOffset(panel) + (long) k0 * PANEL * elementBytes;
        int n = depth * PANEL;
        switch (dtype) {
            case F32 -> {
                for (int i = 0; i < n; i += LANES) {
                    FloatVector.fromMemorySegment(F, data, base + 4L * i, ByteOrder.LITTLE_ENDIAN).intoArray(dst, i);
                }
            }
            case F16 -> {
                if (finite) {
                    Float16.decodeFiniteF16(data, base, n, dst, 0);
                } else {
                    Float16.decodeF16(data, base, n, dst, 0);
                }
            }
            default -> Float16.decodeBF16(data, base, n, dst, 0);
        }
    }
}

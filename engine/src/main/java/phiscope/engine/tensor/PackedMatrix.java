package phiscope.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A matrix copied into memory panel by panel, each panel k-major ({@code [col][PANEL rows]}), so
 * that decoding a panel for the kernels, or streaming it in the decode step, reads one
 * contiguous run of memory. The float formats keep the checkpoint's bits; the quantized ones
 * are made here from them.
 */
public abstract sealed class PackedMatrix extends WeightMatrix permits PackedFloats, BlockQuantizedMatrix {

    /** A panel's results in the decode-step kernels, before {@link #storeRows}. */
    protected static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[PANEL]);

    protected final MemorySegment data;
    protected final long panelBytes;

    protected PackedMatrix(String name, int rows, int cols, MemorySegment data, long panelBytes) {
        super(name, rows, cols);
        this.data = data;
        this.panelBytes = panelBytes;
    }

    /**
     * Copies {@code source} into {@code memory} in {@code format}: the source's own float
     * format, or a quantization of it. Panels are packed in parallel on {@code pool}.
     */
    public static PackedMatrix pack(RowMajorMatrix source, WeightFormat format, WeightMemory memory, WorkerPool pool) {
        PackedMatrix packed = switch (format) {
            case Q8_0 -> new Q8Matrix(source.name(), source.rows(), source.cols(), memory);
            case Q4_0 -> new Q4Matrix(source.name(), source.rows(), source.cols(), memory);
            default -> {
                if (format != source.format()) {
                    throw new IllegalArgumentException(source.name() + ": cannot store " + source.format().label()
                            + " weights as " + format.label());
                }
                yield new PackedFloats(source.name(), source.dtype(), source.rows(), source.cols(), memory);
            }
        };
        int panels = packed.panels();
        pool.forEachRange(panels, (from, to) -> {
            for (int p = from; p < to; p++) {
                packed.packPanel(source, p);
            }
        });
        return packed;
    }

    /** Writes panel {@code panel} from the row-major source. */
    abstract void packPanel(RowMajorMatrix source, int panel);

    /** Decoded weight {@code (row, col)}. */
    abstract float element(int row, int col);

    protected long panelOffset(int panel) {
        return panel * panelBytes;
    }

    /** Rows of panel {@code panel} that exist. */
    protected int rowsIn(int panel) {
        return Math.min(PANEL, rows - panel * PANEL);
    }

    /** Copies a panel's results from {@code tile} to {@code y}: all {@link #PANEL} rows, or those of a last partial panel. */
    protected void storeRows(float[] tile, int panel, float[] y) {
        System.arraycopy(tile, 0, y, panel * PANEL, rowsIn(panel));
    }

    @Override
    public MemorySegment data() {
        return data;
    }

    @Override
    public void decodeRows(int first, int count, float[] dst, int offset) {
        for (int r = 0; r < count; r++) {
            for (int c = 0; c < cols; c++) {
                dst[offset + r * cols + c] = element(first + r, c);
            }
        }
    }
}

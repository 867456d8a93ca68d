package phiscope.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A weight matrix {@code [rows, cols]} (PyTorch's {@code [out_features, in_features]}) kept
 * off-heap in its format, never widened as a whole. The kernels see it one <em>panel</em> at a
 * time: {@link #PANEL} consecutive rows over a stretch of columns, decoded to float32 k-major,
 * which is all a format has to provide ({@link #decodePanel}); {@link Gemm} does the arithmetic.
 */
public abstract sealed class WeightMatrix permits RowMajorMatrix, PackedMatrix {

    /** Rows per panel: four float vectors, the width of the kernels' register tile. */
    public static final int PANEL = 4 * VectorMath.LANES;

    protected final String name;
    protected final int rows;
    protected final int cols;

    protected WeightMatrix(String name, int rows, int cols) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException(name + ": a weight matrix needs at least one row and column, not "
                    + rows + " x " + cols);
        }
        this.name = name;
        this.rows = rows;
        this.cols = cols;
    }

    public String name() {
        return name;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Panels of {@link #PANEL} rows; the last may be partial. */
    public int panels() {
        return (rows + PANEL - 1) / PANEL;
    }

    public abstract WeightFormat format();

    /** The weight data, as a pass over the whole matrix reads it: the file's rows, or the packed panels. */
    public abstract MemorySegment data();

    /** Bytes of weight data a pass over the whole matrix reads. */
    public final long byteSize() {
        return data().byteSize();
    }

    /** Decodes rows {@code [first, first + count)} into {@code dst} at {@code offset}, row-major. */
    public abstract void decodeRows(int first, int count, float[] dst, int offset);

    /**
     * Decodes columns {@code [k0, k0 + depth)} of panel {@code panel} k-major:
     * {@code dst[(k - k0) * PANEL + j] = W[panel * PANEL + j][k]}, zero for rows past the end.
     * {@code k0} is a multiple of {@link Gemm#DEPTH}.
     */
    abstract void decodePanel(int panel, int k0, int depth, float[] dst);

    public float get(int row, int col) {
        float[] one = new float[cols];
        decodeRows(row, 1, one, 0);
        return one[col];
    }

    /**
     * {@code y[t * rows + r] = W[r] · x[t * cols ..]} for {@code t < tokens} and the rows of
     * panels {@code [firstPanel, endPanel)}; the caller splits panels across threads.
     */
    public void multiply(float[] x, int tokens, float[] y, int firstPanel, int endPanel) {
        Gemm.multiply(this, x, tokens, y, firstPanel, endPanel);
    }

    @Override
    public String toString() {
        return name + " [" + rows + ", " + cols + "] " + format().label();
    }
}

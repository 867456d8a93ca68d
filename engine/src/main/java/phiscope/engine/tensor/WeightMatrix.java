package phiscope.engine.tensor;

import java.lang.foreign.MemorySegment;

/**
 * A weight matrix {@code [rows, cols]} (PyTorch's {@code [out_features, in_features]}) kept in its
 * file dtype off-heap. {@link #multiply} computes {@code y[t, r] = W[r] · x[t]} for a range of rows
 * by decoding a block of rows into a float32 scratch buffer (cache-resident) and running the
 * float32 tiles of {@link Kernels} over it for every token; each dtype only knows how to decode.
 */
public abstract sealed class WeightMatrix permits F32Matrix, F16Matrix, BF16Matrix {

    /** Rows decoded at once: a block of 16 rows of Phi-2's widest input (10240) is 640 KB, within L2. */
    static final int ROW_BLOCK = 16;

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    protected final String name;
    protected final int rows;
    protected final int cols;
    protected final MemorySegment data;

    protected WeightMatrix(String name, int rows, int cols, MemorySegment data) {
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    public static WeightMatrix of(String name, DType dtype, int rows, int cols, MemorySegment data) {
        return switch (dtype) {
            case F32 -> new F32Matrix(name, rows, cols, data);
            case F16 -> new F16Matrix(name, rows, cols, data);
            case BF16 -> new BF16Matrix(name, rows, cols, data);
            default -> throw new IllegalArgumentException(name + ": weights must be F32, F16 or BF16, not " + dtype);
        };
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

    public MemorySegment data() {
        return data;
    }

    public abstract DType dtype();

    /** Decodes rows {@code [first, first + count)} into {@code dst} at {@code offset}, row-major. */
    public abstract void decodeRows(int first, int count, float[] dst, int offset);

    public float get(int row, int col) {
        float[] one = new float[cols];
        decodeRows(row, 1, one, 0);
        return one[col];
    }

    /**
     * {@code y[t * rows + r] = W[r] · x[t * cols ..]} for {@code t < tokens} and {@code r} in
     * {@code [rowStart, rowEnd)}; the caller splits rows across threads.
     */
    public void multiply(float[] x, int tokens, float[] y, int rowStart, int rowEnd) {
        float[] block = scratch(ROW_BLOCK * cols);
        for (int r0 = rowStart; r0 < rowEnd; r0 += ROW_BLOCK) {
            int count = Math.min(ROW_BLOCK, rowEnd - r0);
            decodeRows(r0, count, block, 0);
            multiplyDecoded(block, r0, count, x, tokens, y);
        }
    }

    private void multiplyDecoded(float[] block, int r0, int count, float[] x, int tokens, float[] y) {
        int quads = count - count % 4;
        int t = 0;
        for (; t + 1 < tokens; t += 2) {
            int x0 = t * cols;
            int x1 = x0 + cols;
            int y0 = t * rows + r0;
            int y1 = y0 + rows;
            for (int r = 0; r < quads; r += 4) {
                Kernels.dot4x2(block, r * cols, x, x0, x1, cols, y, y0 + r, y1 + r);
            }
            for (int r = quads; r < count; r++) {
                y[y0 + r] = Kernels.dot(block, r * cols, x, x0, cols);
                y[y1 + r] = Kernels.dot(block, r * cols, x, x1, cols);
            }
        }
        for (; t < tokens; t++) {
            int y0 = t * rows + r0;
            for (int r = 0; r < quads; r += 4) {
                Kernels.dot4x1(block, r * cols, x, t * cols, cols, y, y0 + r);
            }
            for (int r = quads; r < count; r++) {
                y[y0 + r] = Kernels.dot(block, r * cols, x, t * cols, cols);
            }
        }
    }

    private static float[] scratch(int size) {
        float[] buffer = SCRATCH.get();
        if (buffer.length < size) {
            buffer = new float[size];
            SCRATCH.set(buffer);
        }
        return buffer;
    }
}

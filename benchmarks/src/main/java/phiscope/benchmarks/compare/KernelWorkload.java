package phiscope.benchmarks.compare;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import phiscope.engine.tensor.DType;
import phiscope.engine.tensor.Float16;
import phiscope.engine.tensor.Linear;
import phiscope.engine.tensor.PackedMatrix;
import phiscope.engine.tensor.RowMajorMatrix;
import phiscope.engine.tensor.WeightFormat;
import phiscope.engine.tensor.WeightMemory;
import phiscope.engine.tensor.WorkerPool;

/**
 * One {@code y = x W^T + b} per call, as {@code MatmulBenchmark} times it: F16 source weights
 * packed into the format, and with {@code cold} a fresh copy each call out of 1 GB of them.
 */
public final class KernelWorkload implements DoubleSupplier {

    private static final long COLD_BYTES = 1L << 30;

    private final Linear[] linears;
    private final WorkerPool pool;
    private final float[] x;
    private final float[] y;
    private final int tokens;
    private int next;

    /** {@code FORMAT ROWSxCOLS TOKENS THREADS cold|warm}. */
    public KernelWorkload(String[] args) {
        if (args.length != 5) {
            throw new IllegalArgumentException("kernel takes FORMAT ROWSxCOLS TOKENS THREADS cold|warm");
        }
        WeightFormat format = Workloads.format(args[0]);
        String[] shape = args[1].split("x", -1);
        if (shape.length != 2) {
            throw new IllegalArgumentException("the shape is ROWSxCOLS, e.g. 2560x10240, not '" + args[1] + "'");
        }
        int rows = Workloads.positive(shape[0], "ROWS");
        int cols = Workloads.positive(shape[1], "COLS");
        tokens = Workloads.positive(args[2], "TOKENS");
        pool = new WorkerPool(Workloads.positive(args[3], "THREADS"));
        SplittableRandom random = new SplittableRandom(1);
        MemorySegment data = Arena.global().allocate(2L * rows * cols);
        for (long i = 0; i < (long) rows * cols; i++) {
            data.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * i, Float16.fromFloat((float) (random.nextGaussian() * 0.02)));
        }
        RowMajorMatrix source = new RowMajorMatrix("w", DType.F16, rows, cols, data);
        WeightMemory memory = new WeightMemory();
        PackedMatrix first = PackedMatrix.pack(source, format, memory, pool);
        int copies = switch (args[4]) {
            case "cold" -> (int) Math.max(1, (COLD_BYTES + first.byteSize() - 1) / first.byteSize());
            case "warm" -> 1;
            default -> throw new IllegalArgumentException("weights are cold or warm, not " + args[4]);
        };
        linears = new Linear[copies];
        linears[0] = new Linear(first, new float[rows]);
        for (int c = 1; c < copies; c++) {
            linears[c] = new Linear(PackedMatrix.pack(source, format, memory, pool), new float[rows]);
        }
        x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        y = new float[tokens * rows];
    }

    @Override
    public double getAsDouble() {
        long start = System.nanoTime();
        linears[next].forward(pool, x, tokens, y);
        next = (next + 1) % linears.length;
        return (System.nanoTime() - start) / 1e9;
    }
}

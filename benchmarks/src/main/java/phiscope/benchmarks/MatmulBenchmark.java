package phiscope.benchmarks;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import phiscope.engine.tensor.DType;
import phiscope.engine.tensor.Float16;
import phiscope.engine.tensor.Linear;
import phiscope.engine.tensor.PackedMatrix;
import phiscope.engine.tensor.RowMajorMatrix;
import phiscope.engine.tensor.WeightFormat;
import phiscope.engine.tensor.WeightMatrix;
import phiscope.engine.tensor.WeightMemory;
import phiscope.engine.tensor.WorkerPool;

/**
 * {@code y = x W^T + b} at Phi-2's matrix shapes ({@code rows x cols} = out x in features), for
 * one token (the decode step's gemv) and for a prompt's worth of tokens (prefill's gemm), in
 * each weight format. GFLOP/s = 2 * rows * cols * tokens / time; decode GB/s = bytes / time.
 * With {@code weights=cold} each call takes the next of as many copies of the matrix as fill
 * {@link #COLD_BYTES}, more than a last-level cache holds, so the weights come from memory as in
 * a decode step (which reads every matrix of 32 layers once); {@code warm} reuses one matrix,
 * which may stay in cache and then measures the kernel's instructions alone.
 *
 * <pre>
 * ./mvnw -Pbenchmarks -pl benchmarks -am package -DskipTests
 * "$JAVA_HOME"/bin/java --add-modules jdk.incubator.vector -jar benchmarks/target/benchmarks.jar Matmul -p shape=2560x10240 -p tokens=512
 * </pre>
 * with {@code JAVA_HOME} a JDK 25.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatmulBenchmark {

    @Param({"2560x2560", "10240x2560", "2560x10240", "51200x2560"})
    public String shape;

    @Param({"1", "64", "512"})
    public int tokens;

    /** {@code f16}, {@code q8_0}, {@code q4_0}: packed in memory; {@code f16-mmap}: the file's row-major layout. */
    @Param({"f16", "q8_0", "q4_0", "f16-mmap"})
    public String format;

    @Param({"2"})
    public int threads;

    @Param({"cold", "warm"})
    public String weights;

    /** Weights cycled through when cold: more than the 300 MB L3 of the machine the README reports. */
    static final long COLD_BYTES = 1L << 30;

    private Arena arena;
    private WeightMemory memory;
    private WorkerPool pool;
    private Linear[] linears;
    private int next;
    private float[] x;
    private float[] y;

    @Setup(Level.Trial)
    public void setUp() {
        String[] dims = shape.split("x");
        int rows = Integer.parseInt(dims[0]);
        int cols = Integer.parseInt(dims[1]);
        SplittableRandom random = new SplittableRandom(1);
        arena = Arena.ofShared();
        memory = new WeightMemory();
        pool = new WorkerPool(threads);
        MemorySegment data = arena.allocate(2L * rows * cols);
        for (long i = 0; i < (long) rows * cols; i++) {
            data.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * i, Float16.fromFloat((float) (random.nextGaussian() * 0.02)));
        }
        RowMajorMatrix file = new RowMajorMatrix("w", DType.F16, rows, cols, data);
        WeightMatrix first = weightFrom(file);
        int copies = switch (weights) {
            // Sized by the matrix as the kernel reads it: a Q4_0 copy is a quarter of the F16 source.
            case "cold" -> (int) Math.max(1, (COLD_BYTES + first.byteSize() - 1) / first.byteSize());
            case "warm" -> 1;
            default -> throw new IllegalArgumentException("weights is cold or warm, not " + weights);
        };
        linears = new Linear[copies];
        linears[0] = new Linear(first, new float[rows]);
        for (int c = 1; c < copies; c++) {
            RowMajorMatrix source = format.equals("f16-mmap")
                    ? new RowMajorMatrix("w", DType.F16, rows, cols, arena.allocate(data.byteSize()).copyFrom(data))
                    : file;
            linears[c] = new Linear(weightFrom(source), new float[rows]);
        }
        x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        y = new float[tokens * rows];
    }

    /** {@code source} as the benchmark's format holds it: itself for f16-mmap, else packed into memory. */
    private WeightMatrix weightFrom(RowMajorMatrix source) {
        return format.equals("f16-mmap") ? source
                : PackedMatrix.pack(source, WeightFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT)), memory, pool);
    }

    @Benchmark
    public float[] forward() {
        linears[next].forward(pool, x, tokens, y);
        next = (next + 1) % linears.length;
        return y;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        memory.close();
        arena.close();
    }
}

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

    private Arena arena;
    private WeightMemory memory;
    private WorkerPool pool;
    private Linear linear;
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
        WeightMatrix weight = format.equals("f16-mmap") ? file
                : PackedMatrix.pack(file, WeightFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT)), memory, pool);
        linear = new Linear(weight, new float[rows]);
        x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        y = new float[tokens * rows];
    }

    @Benchmark
    public float[] forward() {
        linear.forward(pool, x, tokens, y);
        return y;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        memory.close();
        arena.close();
    }
}

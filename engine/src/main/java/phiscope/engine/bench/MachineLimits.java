package phiscope.engine.bench;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.function.IntToDoubleFunction;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import phiscope.engine.tensor.VectorMath;
import phiscope.engine.tensor.WeightMemory;

/**
 * What this machine can do at most, measured in the run that uses it: the memory read bandwidth
 * (every thread streams its share of a buffer far larger than the caches, from huge-page memory
 * like the weights), the same streaming read over the model's own weights where they lie, and
 * the float32 fused multiply-add peak (independent FMA chains in vector registers, enough of
 * them to hide the FMA latency). Decode speed is judged against the reads, prompt processing
 * against the FMA peak. Virtual machines drift (seen here: the same probe 150 to 320 GFLOP/s
 * minutes apart, and in two consecutive bench runs the 1 GB buffer read at 26.7 and 42.2 GB/s
 * while the weights read at 30.5 and 29.2, as the host placed the pages), so each is kept as
 * repeated measurements with their spread, and the weights' own read rate says what their pages
 * allow, which the probe's buffer need not share.
 *
 * @param bandwidth   bytes per second, all threads together
 * @param weightsRead bytes per second reading the weights a decode step streams, as it splits them
 * @param fmaFlops    float32 FMA flops per second (2 per lane per FMA), all threads together
 */
public record MachineLimits(int threads, Stats bandwidth, Stats weightsRead, Stats fmaFlops) {

    private static final long PROBE_BYTES = 1L << 30;
    /** About a quarter of a second per thread on current CPUs. */
    private static final long FMA_ITERATIONS = 100_000_000;
    /**
     * The probes' loops run in short calls: a vector loop that runs long inside a single call is
     * compiled on-stack, where C2 keeps its vectors boxed and measures the allocator instead.
     */
    private static final int FMA_BURST = 10_000;
    private static final long READ_BURST_BYTES = 1L << 16;
    /** Bytes {@link #readAll} takes per step: four vectors. */
    private static final int READ_STEP = 4 * VectorMath.F.vectorByteSize();
    /** Independent accumulator chains in the FMA probe: more than latency x throughput on current CPUs. */
    private static final int FMA_CHAINS = 12;

    /** Measures on {@code threads} threads, {@code repetitions} times each; {@code weights} are the streamed matrices' bytes. */
    public static MachineLimits measure(int threads, int repetitions, List<MemorySegment> weights) {
        Stats bandwidth;
        try (WeightMemory memory = new WeightMemory()) {
            MemorySegment buffer = memory.allocate(PROBE_BYTES);
            buffer.fill((byte) 1);
            bandwidth = repeat(repetitions, () -> readRate(threads, List.of(buffer)));
        }
        Stats weightsRead = repeat(repetitions, () -> readRate(threads, weights));
        Stats fma = repeat(repetitions, () -> {
            double seconds = onThreads(threads, t -> {
                long start = System.nanoTime();
                float sum = 0;
                for (long done = 0; done < FMA_ITERATIONS; done += FMA_BURST) {
                    sum += fmaChains(FMA_BURST);
                }
                blackhole(sum);
                return (System.nanoTime() - start) / 1e9;
            });
            return threads * FMA_ITERATIONS * FMA_CHAINS * VectorMath.LANES * 2.0 / seconds;
        });
        return new MachineLimits(threads, bandwidth, weightsRead, fma);
    }

    /**
     * Bytes per second of the threads reading every segment, each thread its share of each in
     * turn, as the matrix products split their rows (shares start at whole read steps; a tail
     * shorter than one step is left out of both the reading and the count).
     */
    private static double readRate(int threads, List<MemorySegment> segments) {
        long bytes = 0;
        for (MemorySegment segment : segments) {
            bytes += segment.byteSize() / READ_STEP * READ_STEP;
        }
        double seconds = onThreads(threads, t -> {
            long start = System.nanoTime();
            float sum = 0;
            for (MemorySegment segment : segments) {
                long steps = segment.byteSize() / READ_STEP;
                long from = steps * t / threads * READ_STEP;
                long end = steps * (t + 1) / threads * READ_STEP;
                for (long at = from; at < end; at += READ_BURST_BYTES) {
                    sum += readAll(segment, at, Math.min(READ_BURST_BYTES, end - at));
                }
            }
            blackhole(sum);
            return (System.nanoTime() - start) / 1e9;
        });
        return bytes / seconds;
    }

    private static volatile float sink;

    private static void blackhole(float value) {
        sink = value;
    }

    /** Sum of {@code bytes} (a multiple of {@link #READ_STEP}) of the buffer from {@code from}, read as floats, four loads in flight. */
    private static float readAll(MemorySegment buffer, long from, long bytes) {
        var f = VectorMath.F;
        int step = f.vectorByteSize();
        FloatVector a0 = FloatVector.zero(f), a1 = a0, a2 = a0, a3 = a0;
        for (long i = from, end = from + bytes; i < end; i += READ_STEP) {
            a0 = a0.add(FloatVector.fromMemorySegment(f, buffer, i, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(f, buffer, i + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(f, buffer, i + 2L * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(f, buffer, i + 3L * step, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }

    private static float fmaChains(int iterations) {
        var f = VectorMath.F;
        FloatVector m = FloatVector.broadcast(f, 0.9999999f);
        FloatVector b = FloatVector.broadcast(f, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(f, 1), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3);
        FloatVector a4 = a0.add(4), a5 = a0.add(5), a6 = a0.add(6), a7 = a0.add(7);
        FloatVector a8 = a0.add(8), a9 = a0.add(9), a10 = a0.add(10), a11 = a0.add(11);
        for (int i = 0; i < iterations; i++) {
            a0 = a0.fma(m, b); a1 = a1.fma(m, b); a2 = a2.fma(m, b); a3 = a3.fma(m, b);
            a4 = a4.fma(m, b); a5 = a5.fma(m, b); a6 = a6.fma(m, b); a7 = a7.fma(m, b);
            a8 = a8.fma(m, b); a9 = a9.fma(m, b); a10 = a10.fma(m, b); a11 = a11.fma(m, b);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    /** Runs {@code work(t)} on {@code threads} threads started together; the slowest one's seconds. */
    private static double onThreads(int threads, IntToDoubleFunction work) {
        CyclicBarrier start = new CyclicBarrier(threads);
        double[] seconds = new double[threads];
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            running.add(Thread.ofPlatform().name("phiscope-probe-" + t).start(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                seconds[index] = work.applyAsDouble(index);
            }));
        }
        for (Thread thread : running) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while probing the machine", e);
            }
        }
        double slowest = 0;
        for (double s : seconds) {
            slowest = Math.max(slowest, s);
        }
        return slowest;
    }

    /** {@code repetitions} measurements after a second of warm-up, in which the JIT compiles the probe. */
    private static Stats repeat(int repetitions, java.util.function.DoubleSupplier measurement) {
        long warmUpStart = System.nanoTime();
        do {
            measurement.getAsDouble();
        } while (System.nanoTime() - warmUpStart < 1_000_000_000L);
        double[] values = new double[repetitions];
        for (int i = 0; i < repetitions; i++) {
            values[i] = measurement.getAsDouble();
        }
        return Stats.of(values);
    }

    public double bandwidthBytesPerSecond() {
        return bandwidth.median();
    }

    public double weightsReadBytesPerSecond() {
        return weightsRead.median();
    }

    public double fmaFlopsPerSecond() {
        return fmaFlops.median();
    }
}

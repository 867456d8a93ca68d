package phiscope.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WorkerPoolTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void everyIndexOfEveryRunIsCoveredOnce(int threads) {
        try (WorkerPool pool = new WorkerPool(threads)) {
            for (int run = 0; run < 20_000; run++) {
                int n = run % 37;
                AtomicIntegerArray taken = new AtomicIntegerArray(n);
                pool.forEachRange(n, (from, to) -> {
                    assertTrue(from < to, "an empty range [" + from + ", " + to + ")");
                    for (int i = from; i < to; i++) {
                        taken.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, taken.get(i), "run " + run + " index " + i + " of " + n);
                }
            }
        }
    }

    @Test
    void aFailingChunkReachesTheCallerAfterTheOthersAndThePoolGoesOn() {
        try (WorkerPool pool = new WorkerPool(2)) {
            IllegalStateException thrown = new IllegalStateException("chunk 3 failed");
            LongAdder ran = new LongAdder();
            IllegalStateException caught = assertThrows(IllegalStateException.class, () -> pool.forEachRange(8, (from, to) -> {
                ran.add(to - from);
                if (from <= 3 && 3 < to) {
                    throw thrown;
                }
            }));
            assertSame(thrown, caught);
            assertEquals(8, ran.sum(), "the other ranges still ran");
            LongAdder after = new LongAdder();
            pool.forEachRange(8, (from, to) -> after.add(to - from));
            assertEquals(8, after.sum());
        }
    }

    /** A task that captures nothing, so the runs below allocate only what the pool does. */
    private static final WorkerPool.RangeTask IDLE = (from, to) -> Thread.onSpinWait();

    @Test
    void aRunAllocatesNothing() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (WorkerPool pool = new WorkerPool(2)) {
            for (int i = 0; i < 20_000; i++) {
                pool.forEachRange(8, IDLE);
            }
            int runs = 10_000;
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < runs; i++) {
                pool.forEachRange(8, IDLE);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            // Less than a byte a run: a single object per run would be at least 16.
            assertTrue(allocated < runs, allocated + " bytes allocated by " + runs + " runs");
        }
    }

    @Test
    void aClosedPoolRefusesWork() {
        WorkerPool pool = new WorkerPool(2);
        pool.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.forEachRange(4, IDLE));
        assertEquals("the worker pool is closed", e.getMessage());
    }
}

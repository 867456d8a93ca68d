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
    void everyChunkOfEveryRunRunsOnceWithItsOwnChunkCount(int threads) {
        try (WorkerPool pool = new WorkerPool(threads)) {
            for (int run = 0; run < 20_000; run++) {
                int chunks = 1 + run % 13;
                AtomicIntegerArray taken = new AtomicIntegerArray(chunks);
                int expected = chunks;
                pool.run(chunks, (chunk, of) -> {
                    assertEquals(expected, of);
                    taken.incrementAndGet(chunk);
                });
                for (int c = 0; c < chunks; c++) {
                    assertEquals(1, taken.get(c), "run " + run + " chunk " + c + " of " + chunks);
                }
            }
        }
    }

    @Test
    void aFailingChunkReachesTheCallerAfterTheOthersAndThePoolGoesOn() {
        try (WorkerPool pool = new WorkerPool(2)) {
            IllegalStateException thrown = new IllegalStateException("chunk 3 failed");
            LongAdder ran = new LongAdder();
            IllegalStateException caught = assertThrows(IllegalStateException.class, () -> pool.run(8, (chunk, chunks) -> {
                ran.increment();
                if (chunk == 3) {
                    throw thrown;
                }
            }));
            assertSame(thrown, caught);
            assertEquals(8, ran.sum(), "the other chunks still ran");
            LongAdder after = new LongAdder();
            pool.run(8, (chunk, chunks) -> after.increment());
            assertEquals(8, after.sum());
        }
    }

    /** A task that captures nothing, so the runs below allocate only what the pool does. */
    private static final WorkerPool.Task IDLE = (chunk, chunks) -> Thread.onSpinWait();

    @Test
    void aRunAllocatesNothing() {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (WorkerPool pool = new WorkerPool(2)) {
            for (int i = 0; i < 20_000; i++) {
                pool.run(8, IDLE);
            }
            int runs = 10_000;
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < runs; i++) {
                pool.run(8, IDLE);
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
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.run(4, IDLE));
        assertEquals("the worker pool is closed", e.getMessage());
    }
}

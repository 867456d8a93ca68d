package phiscope.engine.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of threads that run one data-parallel task at a time: the range {@code [0, n)} is
 * split into chunks that the calling thread and the workers take from a shared counter. The
 * caller never waits for a worker that has not started: on a busy machine it simply does more of
 * the chunks itself. Workers spin briefly before parking, so the many short kernels of a decode
 * step do not pay a wake-up each.
 * A run allocates nothing: the counter carries the run's generation beside the chunks left, so a
 * worker that wakes late finds its generation gone and can never take a chunk of a later task.
 */
public final class WorkerPool implements AutoCloseable {

    /** The part {@code [from, to)} of a data-parallel task over {@code [0, n)}. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    /** Chunks per thread: enough to balance uneven progress, few enough to keep chunks large. */
    private static final int CHUNKS_PER_THREAD = 4;
    private static final int SPIN_ITERATIONS = 20_000;

    private final Thread[] workers;
    /** The current run's generation (upper 32 bits) and how many of its chunks are still to take (lower 32 bits). */
    private final AtomicLong ticket = new AtomicLong();
    private final AtomicInteger done = new AtomicInteger();
    /** The current run's task, range and chunk count, published by the write of its ticket. */
    private RangeTask task;
    private int n;
    private int chunks;
    private volatile Throwable failure;
    private volatile boolean closed;

    public WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofPlatform().daemon().name("phiscope-worker-" + (i + 1)).start(this::work);
        }
    }

    public int threads() {
        return workers.length + 1;
    }

    /**
     * Runs {@code task} over {@code [0, n)} (rows, panels, heads, ...) in contiguous ranges on the
     * pool and returns when all are done.
     */
    public synchronized void forEachRange(int n, RangeTask task) {
        if (n < 0) {
            throw new IllegalArgumentException("a range cannot have a negative length, was " + n);
        }
        if (closed) {
            throw new IllegalStateException("the worker pool is closed");
        }
        int chunks = Math.min(n, threads() * CHUNKS_PER_THREAD);
        if (workers.length == 0 || chunks <= 1) {
            if (n > 0) {
                task.run(0, n);
            }
            return;
        }
        // Every chunk of the last run is done, so no worker still writes these.
        this.task = task;
        this.n = n;
        this.chunks = chunks;
        failure = null;
        done.set(0);
        int generation = generation(ticket.get()) + 1;
        ticket.set((long) generation << 32 | chunks);
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
        runChunks(generation);
        for (int spins = 0; done.get() < chunks; spins++) {
            if (spins < SPIN_ITERATIONS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        this.task = null;
        Throwable failed = failure;
        if (failed instanceof RuntimeException e) {
            throw e;
        }
        if (failed instanceof Error e) {
            throw e;
        }
        if (failed != null) {
            throw new IllegalStateException(failed);
        }
    }

    private static int generation(long ticket) {
        return (int) (ticket >>> 32);
    }

    /**
     * Takes and runs chunks of run {@code generation} while it has some left. The count left is
     * in the ticket, not read from {@link #chunks}, which the next run may already have set. A
     * chunk is taken only while its run is current, and a run ends only when all its chunks are
     * done, so the task and count read after taking one are that run's.
     */
    private void runChunks(int generation) {
        for (long t = ticket.get(); generation(t) == generation && (int) t > 0; t = ticket.get()) {
            if (!ticket.compareAndSet(t, t - 1)) {
                continue;
            }
            int chunk = chunks - (int) t;
            try {
                task.run(start(chunk), start(chunk + 1));
            } catch (Throwable e) {
                failure = e;
            }
            done.incrementAndGet();
        }
    }

    private void work() {
        int seen = 0;
        while (true) {
            for (int spins = 0; generation(ticket.get()) == seen && !closed; spins++) {
                if (spins < SPIN_ITERATIONS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation(ticket.get());
            runChunks(seen);
        }
    }

    /** Where chunk {@code chunk} of the current run starts in {@code [0, n)}: chunks differ in length by one at most. */
    private int start(int chunk) {
        return (int) ((long) n * chunk / chunks);
    }

    @Override
    public void close() {
        closed = true;
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
    }
}

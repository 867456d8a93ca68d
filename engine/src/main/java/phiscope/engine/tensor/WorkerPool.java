package phiscope.engine.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of threads that run one data-parallel task at a time, split into chunks that the
 * calling thread and the workers take from a shared counter. The caller never waits for a worker
 * that has not started: on a busy machine it simply does more of the chunks itself. Workers spin
 * briefly before parking, so the many short kernels of a decode step do not pay a wake-up each.
 * Each task is a small {@link Job} with its own counters, so a worker that wakes late can never
 * take a chunk of a later task.
 */
public final class WorkerPool implements AutoCloseable {

    /** One chunk of a data-parallel task. */
    @FunctionalInterface
    public interface Task {
        void run(int chunk, int chunks);
    }

    /** Chunks per thread: enough to balance uneven progress, few enough to keep chunks large. */
    private static final int CHUNKS_PER_THREAD = 4;
    private static final int SPIN_ITERATIONS = 20_000;

    /** One run of a task: the chunks still to take and those done. */
    private static final class Job {
        final Task task;
        final int chunks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Job(Task task, int chunks) {
            this.task = task;
            this.chunks = chunks;
        }

        void runChunks() {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    task.run(c, chunks);
                } catch (Throwable t) {
                    failure = t;
                }
                done.incrementAndGet();
            }
        }
    }

    private final Thread[] workers;
    private volatile Job job;
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

    /** How many chunks to split work of {@code units} (rows, heads, ...) into. */
    public int chunksFor(int units) {
        return Math.max(1, Math.min(units, threads() * CHUNKS_PER_THREAD));
    }

    /** Runs chunks {@code 0 .. chunks-1} of {@code task} on the pool and returns when all are done. */
    public synchronized void run(int chunks, Task task) {
        if (workers.length == 0 || chunks == 1) {
            for (int c = 0; c < chunks; c++) {
                task.run(c, chunks);
            }
            return;
        }
        if (closed) {
            throw new IllegalStateException("the worker pool is closed");
        }
        Job current = new Job(task, chunks);
        job = current;
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
        current.runChunks();
        for (int spins = 0; current.done.get() < chunks; spins++) {
            if (spins < SPIN_ITERATIONS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        Throwable failed = current.failure;
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

    private void work() {
        Job seen = null;
        while (true) {
            for (int spins = 0; job == seen && !closed; spins++) {
                if (spins < SPIN_ITERATIONS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = job;
            seen.runChunks();
        }
    }

    /** Where chunk {@code chunk} of {@code chunks} starts in {@code [0, n)}, at a multiple of {@code align}. */
    public static int start(int n, int chunk, int chunks, int align) {
        int blocks = (n + align - 1) / align;
        return Math.min(n, (int) ((long) blocks * chunk / chunks) * align);
    }

    @Override
    public void close() {
        closed = true;
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
    }
}

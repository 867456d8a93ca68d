package phiscope.engine.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of threads that run one data-parallel task at a time. The calling thread runs
 * part 0 itself; workers spin briefly before parking, so the many short kernels of a decode step
 * do not pay a wake-up each. Nothing is allocated per task.
 */
public final class WorkerPool implements AutoCloseable {

    /** One part of a data-parallel task. */
    @FunctionalInterface
    public interface Task {
        void run(int part, int parts);
    }

    private static final int SPIN_ITERATIONS = 20_000;

    private final Thread[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Task task;
    private volatile long generation;
    private volatile boolean closed;
    private volatile Throwable failure;
    private volatile Thread caller;

    public WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int part = i + 1;
            workers[i] = Thread.ofPlatform().daemon().name("phiscope-worker-" + part).start(() -> work(part));
        }
    }

    /** A pool with one thread per available processor. */
    public static WorkerPool forAvailableProcessors() {
        return new WorkerPool(Runtime.getRuntime().availableProcessors());
    }

    public int threads() {
        return workers.length + 1;
    }

    /** Runs {@code task} once per part on all threads and returns when every part is done. */
    public synchronized void run(Task task) {
        if (workers.length == 0) {
            task.run(0, 1);
            return;
        }
        if (closed) {
            throw new IllegalStateException("the worker pool is closed");
        }
        caller = Thread.currentThread();
        failure = null;
        pending.set(workers.length);
        this.task = task;
        generation++;
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
        Throwable own = null;
        try {
            task.run(0, threads());
        } catch (Throwable t) {
            own = t;
        }
        for (int spins = 0; pending.get() > 0; spins++) {
            if (spins < SPIN_ITERATIONS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 50_000);
            }
        }
        this.task = null;
        Throwable failed = own != null ? own : failure;
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

    private void work(int part) {
        long seen = 0;
        while (true) {
            for (int spins = 0; generation == seen && !closed; spins++) {
                if (spins < SPIN_ITERATIONS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            try {
                task.run(part, threads());
            } catch (Throwable t) {
                failure = t;
            }
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** The sub-range {@code [start, end)} of {@code [0, n)} that part {@code part} of {@code parts} takes, split at multiples of {@code align}. */
    public static int start(int n, int part, int parts, int align) {
        int blocks = (n + align - 1) / align;
        return Math.min(n, (int) ((long) blocks * part / parts) * align);
    }

    @Override
    public void close() {
        closed = true;
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
    }
}

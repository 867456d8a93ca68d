package phiscope.web.server;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one thread that runs model work. The model is shared by every request and its forward
 * passes must never overlap, so all model work is a task on this worker's bounded queues, run
 * one at a time; a full queue refuses new work at once ({@link BusyException}, a 429) rather than
 * letting requests pile up. Every interactive task has a deadline; a task past it, or cancelled
 * because its client left, is skipped while queued and stopped within one block while running.
 *
 * <p>Three lanes: analyses (single forward passes), generations (many decoding steps) and
 * background work (audit runs, one block of items per task). Analyses run first, and a running
 * generation lets the analyses waiting at each new token run ({@link #runWaitingAnalyses}), so
 * the workbench stays responsive while text streams. Background tasks run only when nothing
 * interactive waits, so an interactive request waits at most for the one block in progress;
 * they have no deadline (an audit run may wait for hours of interactive use), only cancellation.
 */
public final class ModelWorker implements AutoCloseable {

    public enum Lane { ANALYSIS, GENERATION, BACKGROUND }

    /** Model work: runs on the worker thread and may check {@link Job#stopped()} as it goes. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Job job);
    }

    private final int analysisCapacity;
    private final int generationCapacity;
    private final int backgroundCapacity;
    private final Duration timeout;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workArrived = lock.newCondition();
    private final ArrayDeque<Task<?>> analyses = new ArrayDeque<>();
    private final ArrayDeque<Task<?>> generations = new ArrayDeque<>();
    private final ArrayDeque<Task<?>> background = new ArrayDeque<>();
    private final Thread thread;
    private Task<?> running;
    private int runningGenerations;
    private boolean closed;
    /** Recent mean run time of a task per lane, in seconds: the basis of Retry-After. */
    private final double[] meanSeconds = {0.1, 5, 1};

    /**
     * @param analysisCapacity analyses that may wait at once
     * @param generationCapacity generations that may be open (waiting or running) at once
     * @param backgroundCapacity background tasks that may wait at once
     * @param timeout how long an analysis or generation may take from submission to its end
     */
    public ModelWorker(int analysisCapacity, int generationCapacity, int backgroundCapacity, Duration timeout) {
        if (analysisCapacity < 1 || generationCapacity < 1 || backgroundCapacity < 1) {
            throw new IllegalArgumentException("queue capacities must be at least 1");
        }
        this.analysisCapacity = analysisCapacity;
        this.generationCapacity = generationCapacity;
        this.backgroundCapacity = backgroundCapacity;
        this.timeout = timeout;
        this.thread = Thread.ofPlatform().name("phiscope-model").daemon().start(this::loop);
    }

    public Duration timeout() {
        return timeout;
    }

    /** Runs {@code work} as an analysis and waits for its result. */
    public <T> T call(Work<T> work) {
        return submit(Lane.ANALYSIS, work).await();
    }

    /** Queues {@code work}; the caller waits on, or cancels, the returned task. */
    public <T> Task<T> submit(Lane lane, Work<T> work) {
        Task<T> task = new Task<>(lane, work, lane == Lane.BACKGROUND ? OptionalLong.empty()
                : OptionalLong.of(System.nanoTime() + timeout.toNanos()));
        lock.lock();
        try {
            if (closed) {
                throw new BusyException("the server is shutting down", 1);
            }
            if (lane == Lane.ANALYSIS && analyses.size() >= analysisCapacity) {
                throw new BusyException("the model is busy: " + analyses.size() + " requests are waiting", retryAfter(lane));
            }
            if (lane == Lane.GENERATION && generations.size() + runningGenerations >= generationCapacity) {
                throw new BusyException("the model is busy: " + generationCapacity + " generations are open", retryAfter(lane));
            }
            if (lane == Lane.BACKGROUND && background.size() >= backgroundCapacity) {
                throw new BusyException("the model is busy: " + background.size() + " background tasks are waiting", retryAfter(lane));
            }
            queue(lane).add(task);
            workArrived.signal();
        } finally {
            lock.unlock();
        }
        return task;
    }

    /**
     * Runs the analyses waiting now (not those that arrive meanwhile, so the generation still
     * advances under a steady stream of them); called by a generation between tokens, on the
     * worker thread, while no forward pass is in progress.
     */
    public void runWaitingAnalyses() {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("only model work may run waiting analyses");
        }
        lock.lock();
        int waiting;
        try {
            waiting = analyses.size();
        } finally {
            lock.unlock();
        }
        for (Task<?> task; waiting-- > 0 && (task = poll(Lane.ANALYSIS)) != null; ) {
            task.run();
        }
    }

    /** What the worker is doing, for the status endpoint and tests. */
    public record Status(int waitingAnalyses, int waitingGenerations, int runningGenerations, int waitingBackground,
                         boolean busy, int analysisCapacity, int generationCapacity) {
    }

    public Status status() {
        lock.lock();
        try {
            return new Status(analyses.size(), generations.size(), runningGenerations, background.size(), running != null,
                    analysisCapacity, generationCapacity);
        } finally {
            lock.unlock();
        }
    }

    private long retryAfter(Lane lane) {
        int waiting = queue(lane).size() + (lane == Lane.GENERATION ? runningGenerations : 0);
        return Math.max(1, (long) Math.ceil(waiting * meanSeconds[lane.ordinal()]));
    }

    private ArrayDeque<Task<?>> queue(Lane lane) {
        return switch (lane) {
            case ANALYSIS -> analyses;
            case GENERATION -> generations;
            case BACKGROUND -> background;
        };
    }

    private Task<?> poll(Lane lane) {
        lock.lock();
        try {
            return queue(lane).poll();
        } finally {
            lock.unlock();
        }
    }

    /** The next task by priority: analyses, then generations, then background work. */
    private Task<?> next() {
        for (Lane lane : Lane.values()) {
            Task<?> task = queue(lane).poll();
            if (task != null) {
                return task;
            }
        }
        return null;
    }

    private void loop() {
        while (true) {
            Task<?> task;
            lock.lock();
            try {
                while ((task = next()) == null) {
                    if (closed) {
                        return;
                    }
                    workArrived.awaitUninterruptibly();
                }
            } finally {
                lock.unlock();
            }
            task.run();
        }
    }

    /** Stops taking work, cancels what waits and what runs, and waits briefly for the thread. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            for (Lane lane : Lane.values()) {
                java.util.List.copyOf(queue(lane)).forEach(Task::cancel);
            }
            if (running != null) {
                running.cancel();
            }
            workArrived.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One piece of queued model work and its result. */
    public final class Task<T> implements Job {
        private final Lane lane;
        private final Work<T> work;
        private final OptionalLong deadline;
        private final CompletableFuture<T> result = new CompletableFuture<>();
        private volatile boolean cancelled;

        private Task(Lane lane, Work<T> work, OptionalLong deadline) {
            this.lane = lane;
            this.work = work;
            this.deadline = deadline;
        }

        private boolean pastDeadline() {
            return deadline.isPresent() && System.nanoTime() - deadline.getAsLong() > 0;
        }

        @Override
        public boolean stopped() {
            return cancelled || pastDeadline();
        }

        @Override
        public void throwIfStopped() {
            if (cancelled) {
                throw new JobStoppedException(false);
            }
            if (pastDeadline()) {
                throw new JobStoppedException(true);
            }
        }

        public boolean done() {
            return result.isDone();
        }

        /** Cancels the task: dropped from its queue if waiting, stopped at its next check if running. */
        public void cancel() {
            cancelled = true;
            lock.lock();
            try {
                if (queue(lane).remove(this)) {
                    result.completeExceptionally(new JobStoppedException(false));
                }
            } finally {
                lock.unlock();
            }
        }

        /**
         * The result, waiting at most until the deadline (background tasks: until they end).
         *
         * @throws TimedOutException if the deadline passed (the task is cancelled)
         */
        public T await() {
            try {
                return deadline.isEmpty() ? result.get()
                        : result.get(Math.max(0, deadline.getAsLong() - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                cancel();
                throw new TimedOutException(timeout);
            } catch (InterruptedException e) {
                cancel();
                Thread.currentThread().interrupt();
                throw new JobStoppedException(false);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof JobStoppedException stopped && stopped.timedOut()) {
                    throw new TimedOutException(timeout);
                }
                if (e.getCause() instanceof RuntimeException cause) {
                    throw cause;
                }
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw new IllegalStateException(e.getCause());
            }
        }

        private void run() {
            if (stopped()) {
                result.completeExceptionally(new JobStoppedException(!cancelled));
                return;
            }
            long start = System.nanoTime();
            Task<?> outer;
            lock.lock();
            try {
                outer = running;
                running = this;
                if (lane == Lane.GENERATION) {
                    runningGenerations++;
                }
            } finally {
                lock.unlock();
            }
            try {
                result.complete(work.run(this));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            } finally {
                lock.lock();
                try {
                    running = outer;
                    if (lane == Lane.GENERATION) {
                        runningGenerations--;
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    meanSeconds[lane.ordinal()] = 0.8 * meanSeconds[lane.ordinal()] + 0.2 * seconds;
                } finally {
                    lock.unlock();
                }
            }
        }
    }
}

package phiscope.web.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ModelWorkerTest {

    private ModelWorker worker;

    @AfterEach
    void close() {
        if (worker != null) {
            worker.close();
        }
    }

    /** Occupies the worker until released; returns once it is running. */
    private CountDownLatch block(ModelWorker.Lane lane) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        worker.submit(lane, job -> {
            running.countDown();
            awaitQuietly(release);
            return null;
        });
        assertTrue(running.await(5, TimeUnit.SECONDS));
        return release;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void runsWorkAndPassesOnItsResultOrFailure() {
        worker = new ModelWorker(4, 1, 1, Duration.ofSeconds(5));
        assertEquals(Integer.valueOf(42), worker.call(job -> 42));
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class, () -> worker.call(job -> {
            throw new IllegalArgumentException("bad layer");
        }));
        assertEquals("bad layer", failure.getMessage());
    }

    @Test
    void aFullQueueRefusesAtOnceWithARetryEstimate() throws InterruptedException {
        worker = new ModelWorker(2, 1, 1, Duration.ofSeconds(5));
        CountDownLatch release = block(ModelWorker.Lane.ANALYSIS);
        worker.submit(ModelWorker.Lane.ANALYSIS, job -> 1);
        worker.submit(ModelWorker.Lane.ANALYSIS, job -> 2);
        BusyException busy = assertThrows(BusyException.class, () -> worker.submit(ModelWorker.Lane.ANALYSIS, job -> 3));
        assertTrue(busy.retryAfterSeconds() >= 1);
        assertEquals(2, worker.status().waitingAnalyses());
        release.countDown();
    }

    @Test
    void generationsAreLimitedWhileOpenNotJustWhileWaiting() throws InterruptedException {
        worker = new ModelWorker(4, 1, 1, Duration.ofSeconds(5));
        CountDownLatch release = block(ModelWorker.Lane.GENERATION);
        assertEquals(1, worker.status().runningGenerations());
        assertThrows(BusyException.class, () -> worker.submit(ModelWorker.Lane.GENERATION, job -> 1));
        ModelWorker.Task<Integer> analysis = worker.submit(ModelWorker.Lane.ANALYSIS, job -> 7);
        release.countDown();
        assertEquals(7, analysis.await(), "analyses still queue");
    }

    @Test
    void aRequestWaitingPastItsDeadlineTimesOutAndNeverRuns() throws InterruptedException {
        worker = new ModelWorker(4, 1, 1, Duration.ofMillis(300));
        CountDownLatch release = block(ModelWorker.Lane.ANALYSIS);
        AtomicBoolean ran = new AtomicBoolean();
        assertThrows(TimedOutException.class, () -> worker.call(job -> ran.getAndSet(true)));
        assertEquals(0, worker.status().waitingAnalyses(), "dropped from the queue");
        release.countDown();
        assertEquals(Integer.valueOf(1), worker.call(job -> 1));
        assertFalse(ran.get());
    }

    @Test
    void runningWorkStopsAtItsDeadline() {
        worker = new ModelWorker(4, 1, 1, Duration.ofMillis(300));
        long start = System.nanoTime();
        assertThrows(TimedOutException.class, () -> worker.call(job -> {
            while (true) {
                job.throwIfStopped();
                Thread.onSpinWait();
            }
        }));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        assertEquals(Integer.valueOf(5), worker.call(job -> 5), "the worker goes on with the next task");
    }

    @Test
    void cancellingStopsRunningWork() throws InterruptedException {
        worker = new ModelWorker(4, 1, 1, Duration.ofSeconds(10));
        CountDownLatch started = new CountDownLatch(1);
        ModelWorker.Task<String> task = worker.submit(ModelWorker.Lane.GENERATION, job -> {
            started.countDown();
            while (!job.stopped()) {
                Thread.onSpinWait();
            }
            return "stopped";
        });
        assertTrue(started.await(5, TimeUnit.SECONDS));
        task.cancel();
        assertEquals("stopped", task.await());
    }

    @Test
    void analysesGoFirstAndRunBetweenAGenerationsTokens() throws InterruptedException {
        worker = new ModelWorker(8, 2, 1, Duration.ofSeconds(10));
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch release = block(ModelWorker.Lane.ANALYSIS);
        CountDownLatch analysisQueued = new CountDownLatch(1);
        CountDownLatch generating = new CountDownLatch(1);
        ModelWorker.Task<Void> generation = worker.submit(ModelWorker.Lane.GENERATION, job -> {
            order.add("token 1");
            generating.countDown();
            awaitQuietly(analysisQueued);
            worker.runWaitingAnalyses();
            order.add("token 2");
            return null;
        });
        ModelWorker.Task<Void> first = worker.submit(ModelWorker.Lane.ANALYSIS, job -> {
            order.add("analysis before");
            return null;
        });
        release.countDown();
        first.await();
        assertTrue(generating.await(5, TimeUnit.SECONDS));
        ModelWorker.Task<Void> during = worker.submit(ModelWorker.Lane.ANALYSIS, job -> {
            order.add("analysis during");
            return null;
        });
        analysisQueued.countDown();
        generation.await();
        during.await();
        assertEquals(List.of("analysis before", "token 1", "analysis during", "token 2"), order);
    }

    @Test
    void backgroundWorkRunsOnlyWhenNothingInteractiveWaits() throws InterruptedException {
        worker = new ModelWorker(8, 2, 2, Duration.ofSeconds(10));
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch release = block(ModelWorker.Lane.ANALYSIS);
        ModelWorker.Task<Void> audit = worker.submit(ModelWorker.Lane.BACKGROUND, job -> {
            order.add("audit block");
            return null;
        });
        ModelWorker.Task<Void> generation = worker.submit(ModelWorker.Lane.GENERATION, job -> {
            order.add("generation");
            return null;
        });
        ModelWorker.Task<Void> analysis = worker.submit(ModelWorker.Lane.ANALYSIS, job -> {
            order.add("analysis");
            return null;
        });
        assertEquals(1, worker.status().waitingBackground());
        release.countDown();
        audit.await();
        generation.await();
        analysis.await();
        assertEquals(List.of("analysis", "generation", "audit block"), order);
    }

    @Test
    void backgroundWorkHasNoDeadlineButCanBeCancelledWhileItWaits() throws InterruptedException {
        worker = new ModelWorker(4, 1, 1, Duration.ofMillis(200));
        CountDownLatch release = block(ModelWorker.Lane.ANALYSIS);
        ModelWorker.Task<String> patient = worker.submit(ModelWorker.Lane.BACKGROUND, job -> job.stopped() ? "stopped" : "ran");
        assertThrows(BusyException.class, () -> worker.submit(ModelWorker.Lane.BACKGROUND, job -> "one too many"));
        Thread.sleep(500);
        release.countDown();
        assertEquals("ran", patient.await(), "waiting longer than the interactive time limit is fine");

        CountDownLatch again = block(ModelWorker.Lane.ANALYSIS);
        AtomicBoolean ran = new AtomicBoolean();
        ModelWorker.Task<Boolean> cancelled = worker.submit(ModelWorker.Lane.BACKGROUND, job -> ran.getAndSet(true));
        cancelled.cancel();
        assertThrows(JobStoppedException.class, cancelled::await);
        assertEquals(0, worker.status().waitingBackground());
        again.countDown();
        assertEquals(Integer.valueOf(3), worker.call(job -> 3));
        assertFalse(ran.get());
    }
}

package phiscope.web.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.web.Limits;
import phiscope.web.TestServer;

/**
 * 32 concurrent clients x 25 requests on loopback, mixing tokenize, run and a short generation
 * on nanophi-py: every answer must be 2xx or 429 (never 5xx) and the heap must stay bounded.
 * Prints the throughput and latency percentiles; timings are reported, not asserted.
 */
@Tag("load")
class LoadIT {

    private static final int CLIENTS = 32;
    private static final int REQUESTS_PER_CLIENT = 25;

    private record Outcome(String kind, int status, long nanos) {
    }

    @TempDir
    Path temp;

    @Test
    void concurrentClientsGetAnswersOrBackOffAndMemoryStaysBounded() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (TestServer server = new TestServer(Limits.DEFAULTS, temp)) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).executor(Executors.newFixedThreadPool(4)).build();
            // Warm up once, so the numbers are the server's, not the JIT's.
            send(client, server.uri("/api/run"), "{\"prompt\": \"warm up\"}");
            System.gc();
            long heapBefore = memory.getHeapMemoryUsage().getUsed();

            AtomicLong peakHeap = new AtomicLong();
            AtomicBoolean running = new AtomicBoolean(true);
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (running.get()) {
                    peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });

            List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
            Map<String, String> failures = new ConcurrentHashMap<>();
            CountDownLatch go = new CountDownLatch(1);
            long start;
            try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int id = c;
                    done.add(clients.submit(() -> {
                        go.await();
                        for (int r = 0; r < REQUESTS_PER_CLIENT; r++) {
                            // Prompts differ per client and request, so caches fill and evict.
                            String prompt = "def client_" + id + "(x):\\n    return x * " + r;
                            String kind = switch ((id + r) % 3) {
                                case 0 -> "tokenize";
                                case 1 -> "run";
                                default -> "generate";
                            };
                            String body = kind.equals("generate")
                                    ? "{\"prompt\": \"" + prompt + "\", \"maxNewTokens\": 8}"
                                    : "{\"prompt\": \"" + prompt + "\"}";
                            long t0 = System.nanoTime();
                            HttpResponse<String> response = send(client, server.uri("/api/" + kind), body);
                            outcomes.add(new Outcome(kind, response.statusCode(), System.nanoTime() - t0));
                            if (response.statusCode() == 200 && kind.equals("generate") && !response.body().contains("event: done")) {
                                failures.put(kind + " " + id + "/" + r, "stream ended without done: " + response.body());
                            }
                            if (response.statusCode() != 200 && response.statusCode() != 429) {
                                failures.put(kind + " " + id + "/" + r, response.statusCode() + " " + response.body());
                            }
                        }
                        return null;
                    }));
                }
                start = System.nanoTime();
                go.countDown();
                for (Future<?> future : done) {
                    future.get(5, TimeUnit.MINUTES);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            running.set(false);
            sampler.join();
            System.gc();
            long heapAfter = memory.getHeapMemoryUsage().getUsed();

            report(outcomes, seconds, heapBefore, peakHeap.get(), heapAfter);
            assertEquals(Map.of(), failures, "only 200 and 429, and every stream complete");
            assertEquals(CLIENTS * REQUESTS_PER_CLIENT, outcomes.size());
            assertTrue(outcomes.stream().filter(o -> o.status() == 200).count() > outcomes.size() / 2, "most requests are served");
            assertTrue(peakHeap.get() < 1L << 30, "peak heap " + (peakHeap.get() >> 20) + " MB");
            assertTrue(heapAfter - heapBefore < 256L << 20, "heap grew by " + ((heapAfter - heapBefore) >> 20) + " MB");
        }
    }

    private static HttpResponse<String> send(HttpClient client, URI uri, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void report(List<Outcome> outcomes, double seconds, long heapBefore, long peakHeap, long heapAfter) {
        Map<String, List<Outcome>> byKind = new TreeMap<>();
        for (Outcome o : outcomes) {
            byKind.computeIfAbsent(o.kind(), k -> new ArrayList<>()).add(o);
        }
        byKind.put("all", outcomes);
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                "%nload test: %d clients x %d requests in %.2f s = %.1f requests/s%n", CLIENTS, REQUESTS_PER_CLIENT, seconds,
                outcomes.size() / seconds));
        text.append(String.format(Locale.ROOT, "%-9s %6s %5s %5s %9s %9s %9s %9s%n", "kind", "count", "200", "429",
                "p50 ms", "p90 ms", "p99 ms", "max ms"));
        byKind.forEach((kind, list) -> {
            long[] nanos = list.stream().mapToLong(Outcome::nanos).sorted().toArray();
            text.append(String.format(Locale.ROOT, "%-9s %6d %5d %5d %9.1f %9.1f %9.1f %9.1f%n", kind, list.size(),
                    list.stream().filter(o -> o.status() == 200).count(), list.stream().filter(o -> o.status() == 429).count(),
                    percentile(nanos, 50), percentile(nanos, 90), percentile(nanos, 99), nanos[nanos.length - 1] / 1e6));
        });
        text.append(String.format(Locale.ROOT, "heap: %d MB before, %d MB peak, %d MB after (after GC)%n",
                heapBefore >> 20, peakHeap >> 20, heapAfter >> 20));
        System.out.print(text);
    }

    private static double percentile(long[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, index)] / 1e6;
    }
}

package phiscope.web.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.web.Limits;
import phiscope.web.TestServer;
import phiscope.web.TestServer.Response;

/** The limits as a client meets them: 429 with Retry-After, a closed stream stops its generation, time limits. */
class ServerLimitsTest {

    private static final String PROMPT = "import numpy as np\n\n\ndef softmax(x):\n";

    @TempDir
    Path temp;

    /** Nearly the whole context: nanophi-py decodes it in well over a second (4.6 s measured on 2 cores). */
    private static final int LONGEST = 2040;

    private static Limits limits(int maxGenerations, long timeoutSeconds) {
        Limits d = Limits.DEFAULTS;
        return new Limits(LONGEST, d.maxBodyBytes(), d.analysisQueue(), maxGenerations, timeoutSeconds,
                d.cacheMegabytes(), d.maxPatternSize(), d.maxAudits());
    }

    @Test
    void aClosedStreamStopsItsGenerationAndFreesItsPlace() throws Exception {
        try (TestServer server = new TestServer(limits(1, 120), temp)) {
            long fullStart = System.nanoTime();
            List<ServerSentEvents.Event> full = ServerSentEvents.post(server, Map.of("prompt", PROMPT, "maxNewTokens", 512));
            double fullSeconds = (System.nanoTime() - fullStart) / 1e9;
            assertEquals("max_tokens", full.getLast().data().get("stop").asText());

            HttpResponse<InputStream> stream = ServerSentEvents.open(server, Map.of("prompt", PROMPT, "maxNewTokens", 512));
            BufferedReader reader = ServerSentEvents.reader(stream);
            assertEquals("start", ServerSentEvents.next(reader).name());
            assertEquals("token", ServerSentEvents.next(reader).name());

            Response refused = server.post("/api/generate", Map.of("prompt", PROMPT));
            assertEquals(429, refused.status());
            assertTrue(refused.json().get("error").asText().contains("1 generations are open"), refused.raw().body());
            long retryAfter = Long.parseLong(refused.raw().headers().firstValue("Retry-After").orElseThrow());
            assertTrue(retryAfter >= 1);
            assertEquals(200, server.post("/api/tokenize", Map.of("prompt", PROMPT)).status(), "other requests still go through");
            assertEquals(200, server.post("/api/run", Map.of("prompt", PROMPT)).status(), "analyses run between tokens");

            long closed = System.nanoTime();
            stream.body().close();
            while (server.get("/api/status").json().get("runningGenerations").asInt() > 0) {
                Thread.sleep(10);
            }
            double stopSeconds = (System.nanoTime() - closed) / 1e9;
            assertTrue(stopSeconds < fullSeconds / 2, "stopped " + stopSeconds + " s after the client left; a whole generation takes "
                    + fullSeconds + " s");
            assertEquals(200, ServerSentEvents.open(server, Map.of("prompt", PROMPT, "maxNewTokens", 2)).statusCode());
        }
    }

    @Test
    void aGenerationThatOutlivesTheTimeLimitEndsWithTimeout() {
        try (TestServer server = new TestServer(limits(1, 1), temp)) {
            List<ServerSentEvents.Event> events = ServerSentEvents.post(server, Map.of("prompt", PROMPT, "maxNewTokens", LONGEST));
            ServerSentEvents.Event done = events.getLast();
            assertEquals("done", done.name());
            assertEquals("timeout", done.data().get("stop").asText());
            assertTrue(done.data().get("generated").asInt() < LONGEST);
        }
    }
}

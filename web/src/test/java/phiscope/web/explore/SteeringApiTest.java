package phiscope.web.explore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.model.Sampler;
import phiscope.probes.Pooling;
import phiscope.probes.Progress;
import phiscope.probes.steering.SteeringVector;
import phiscope.web.ApiTest;
import phiscope.web.TestServer;

/** Steered and baseline continuations as the engine and the probes module give them on their own, and the refusals. */
class SteeringApiTest extends ApiTest {

    private static final String PROMPT = "The weather today";

    static int[] ids;

    @BeforeAll
    static void prepare() {
        ids = phi.encode(PROMPT);
    }

    private static Map<String, Object> request(Object... fields) {
        return TestServer.fields(Map.of("prompt", PROMPT, "maxNewTokens", 12), fields);
    }

    private static List<ServerSentEvents.Event> steer(Map<String, Object> request) {
        return ServerSentEvents.post(server, "/api/steer", request);
    }

    private static int[] tokens(List<ServerSentEvents.Event> events, String continuation) {
        return events.stream().filter(e -> e.name().equals("token") && e.data().get("continuation").asText().equals(continuation))
                .mapToInt(e -> e.data().get("id").asInt()).toArray();
    }

    private static void assertContinuations(List<ServerSentEvents.Event> events, SteeringVector vector, double coefficient) {
        int[] baseline = phi.generate(ids, 12, Sampler.Settings.GREEDY, id -> true).tokens();
        int[] steered = phi.generate(ids, 12, Sampler.Settings.GREEDY, vector.addTo(phi.newHooks(), coefficient), id -> true).tokens();
        assertFalse(java.util.Arrays.equals(baseline, steered), "the vector changes the continuation");
        assertArrayEquals(baseline, tokens(events, "baseline"));
        assertArrayEquals(steered, tokens(events, "steered"));
        List<ServerSentEvents.Event> done = events.stream().filter(e -> e.name().equals("done")).toList();
        assertEquals(List.of("baseline", "steered"), done.stream().map(e -> e.data().get("continuation").asText()).toList());
        assertEquals(steered.length, done.get(1).data().get("generated").asInt());
    }

    @Test
    void anActAddPairSteersTheSecondContinuationOnly() {
        List<ServerSentEvents.Event> events = steer(request("layer", 1, "coefficient", 8, "plus", "def main():", "minus", " happy"));
        assertEquals("start", events.getFirst().name());
        assertEquals(ids.length, events.getFirst().data().get("promptTokens").asInt());
        JsonNode vector = events.get(1).data();
        assertEquals("vector", events.get(1).name());
        assertEquals("blocks.1.hook_resid_pre", vector.get("hook").asText());
        assertEquals("actadd", vector.get("method").asText());
        SteeringVector expected = SteeringVector.actAdd(phi, HookPoint.inBlock(1, HookSite.RESID_PRE), "def main():", " happy");
        assertEquals(expected.rows().length, vector.get("rows").asInt());
        assertEquals(expected.norm(), vector.get("norm").asDouble(), 1e-9);
        assertContinuations(events, expected, 8);
    }

    @Test
    void twoSetsOfPromptsSteerByTheDifferenceOfTheirMeans() {
        List<String> positive = List.of("import numpy as np", "for i in range(10):", "return x + 1");
        List<String> negative = List.of("The sun is warm.", "I love my garden.", "We met at noon.");
        List<ServerSentEvents.Event> events = steer(request("layer", 2, "site", "resid_post", "coefficient", 6,
                "positive", positive, "negative", negative));
        HookPoint point = HookPoint.inBlock(2, HookSite.RESID_POST);
        SteeringVector expected = SteeringVector.differenceOfMeans(phi, List.of(point), positive, negative, Pooling.MEAN,
                Progress.NONE).get(point);
        assertEquals("difference-of-means", events.get(1).data().get("method").asText());
        assertEquals(expected.norm(), events.get(1).data().get("norm").asDouble(), 1e-9);
        assertContinuations(events, expected, 6);
    }

    @Test
    void badSteeringRequestsAreRefusedBeforeAnythingRuns() {
        server.post("/api/steer", request()).assertError(400, "give either 'plus' and 'minus'");
        server.post("/api/steer", request("plus", "a", "minus", "b", "positive", List.of("c"), "negative", List.of("d")))
                .assertError(400, "give either");
        server.post("/api/steer", request("plus", "a")).assertFieldError(400, "minus", "field 'minus' is required");
        server.post("/api/steer", request("positive", List.of(), "negative", List.of("d")))
                .assertFieldError(400, "positive", "field 'positive' has 0 prompts; give 1..32");
        server.post("/api/steer", request("positive", List.of("c", ""), "negative", List.of("d")))
                .assertFieldError(400, "positive[1]", "must not be empty");
        String many = " word".repeat(600);
        String more = " word".repeat(500);
        int tokens = phi.encode(many).length + phi.encode(more).length;
        server.post("/api/steer", request("positive", List.of(many), "negative", List.of(more)))
                .assertFieldError(400, "positive", "the vector's prompts have " + tokens + " tokens in all; at most 1024");
        server.post("/api/steer", request("plus", "a", "minus", "b", "layer", 4)).assertFieldError(400, "layer", "0..3");
        server.post("/api/steer", request("plus", "a", "minus", "b", "site", "mlp_post"))
                .assertFieldError(400, "site", "unknown steering site 'mlp_post'");
        server.post("/api/steer", request("plus", "a", "minus", "b", "coefficient", 1e9)).assertFieldError(400, "coefficient", "-1000");
        server.post("/api/steer", request("plus", "a", "minus", "b", "pooling", "mean")).assertFieldError(400, "pooling", "goes with");
        server.post("/api/steer", request("positive", List.of("c"), "negative", List.of("d"), "pooling", "max"))
                .assertFieldError(400, "pooling", "unknown pooling 'max'");
        server.post("/api/steer", request("plus", "a", "minus", "b", "maxNewTokens", 0)).assertFieldError(400, "maxNewTokens", "1..");
        server.post("/api/steer", request("plus", "a", "minus", "b", "temperature", -1)).assertError(400, "temperature");
    }
}

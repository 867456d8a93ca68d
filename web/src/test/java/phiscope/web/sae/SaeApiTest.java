package phiscope.web.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.model.PhiModel;
import phiscope.engine.model.Sampler;
import phiscope.probes.sae.FeatureAttribution;
import phiscope.probes.sae.SaeSplice;
import phiscope.probes.sae.SparseAutoencoder;
import phiscope.web.ApiTest;
import phiscope.web.explore.ServerSentEvents;

/** The SAE area's endpoints on the SAE shipped with nanophi-py, against the probes module run on its own, and their refusals. */
class SaeApiTest extends ApiTest {

    private static final String SAE = "python-topk32-resid2";
    private static final String PROMPT = "def greet(name):\n    print('hello', name)";
    /** The shipped SAE's string-literal feature (probes/README.md). */
    private static final int STRINGS = 291;

    static SparseAutoencoder sae;
    static int[] ids;

    @BeforeAll
    static void prepare() {
        sae = SparseAutoencoder.load(phi.model().directory().resolve("saes").resolve(SAE));
        ids = phi.encode(PROMPT);
    }

    /** The SAE's features on the prompt, from the probes module alone: [tokens, d_sae]. */
    private static float[] features() {
        ActivationCache cache = ActivationCache.withBudget(1L << 26, ActivationCache.Precision.F32);
        var hooks = phi.newHooks();
        SaeSplice.attach(hooks, sae, SaeSplice.Output.WITH_ERROR).record(cache, "", "hook_sae_acts_post");
        phi.model().forward(ids, hooks, PhiModel.Logits.NONE);
        return cache.get("blocks.2.hook_resid_post.hook_sae_acts_post").data();
    }

    @Test
    void theShippedSaeIsListedWithItsHookAndDashboards() {
        JsonNode saes = server.get("/api/saes").assertOk().json().path("saes");
        assertEquals(1, saes.size(), saes.toString());
        JsonNode shipped = saes.get(0);
        assertEquals(SAE, shipped.path("name").asText());
        assertEquals("blocks.2.hook_resid_post", shipped.path("hook").asText());
        assertEquals("topk", shipped.path("architecture").asText());
        assertEquals(1024, shipped.path("dSae").asInt());
        assertEquals(32, shipped.path("k").asInt());
        assertTrue(shipped.path("dashboards").asBoolean());
        assertTrue(shipped.path("error").isNull());
    }

    @Test
    void activationsAreTheSplicedSaesFeaturesStrongestFirst() {
        JsonNode result = server.post("/api/sae/activations", Map.of("prompt", PROMPT, "sae", SAE, "topK", 5, "feature", STRINGS))
                .assertOk().json();
        float[] expected = features();
        int dSae = sae.dSae();
        assertEquals(ids.length, result.path("tokens").size());
        assertEquals(ids.length, result.path("positions").size());
        for (int t = 0; t < ids.length; t++) {
            JsonNode position = result.path("positions").get(t);
            float[] row = Arrays.copyOfRange(expected, t * dSae, (t + 1) * dSae);
            int firing = 0;
            for (float v : row) {
                firing += v > 0 ? 1 : 0;
            }
            assertEquals(firing, position.path("l0").asInt(), "token " + t);
            assertTrue(firing <= 32, "a TopK SAE with k = 32 fires at most 32 features");
            float previous = Float.POSITIVE_INFINITY;
            assertEquals(Math.min(5, firing), position.path("top").size());
            for (JsonNode top : position.path("top")) {
                float activation = top.path("activation").floatValue();
                assertEquals(row[top.path("feature").asInt()], activation, 0f, "token " + t);
                assertTrue(activation <= previous && activation > 0);
                previous = activation;
            }
            float sixth = 0;
            if (firing > 5) {
                float[] sorted = row.clone();
                Arrays.sort(sorted);
                sixth = sorted[dSae - 6];
            }
            assertTrue(previous >= sixth, "the five listed are the five strongest");
            assertEquals(row[STRINGS], result.path("values").get(t).floatValue(), 0f);
        }
        // it fires on the string literal's tokens and not on the def line
        assertEquals(0f, result.path("values").get(0).floatValue(), "'def'");
        assertTrue(result.path("values").get(ids.length - 4).floatValue() > 0.5f, result.path("values").toString());
    }

    @Test
    void aDashboardIsTheStoredPageOfItsFeature() {
        JsonNode dashboard = server.post("/api/sae/dashboard", Map.of("sae", SAE, "feature", STRINGS)).assertOk().json();
        assertEquals("blocks.2.hook_resid_post", dashboard.path("hook").asText());
        assertEquals(20000, dashboard.path("tokens").asLong());
        JsonNode page = dashboard.path("page");
        assertEquals(STRINGS, page.path("feature").asInt());
        assertEquals(10, page.path("top").size());
        assertEquals("')", page.path("positive_logits").get(0).path("token").asText());
        server.post("/api/sae/dashboard", Map.of("sae", SAE, "feature", 1024)).assertFieldError(400, "feature", "0..1023");
    }

    @Test
    void searchFindsFeaturesByTheTokensTheyRaiseFireOnOrTheTextAroundThem() {
        JsonNode byLogit = server.post("/api/sae/search", Map.of("sae", SAE, "query", "')", "by", "logit")).assertOk().json();
        assertEquals(1024, byLogit.path("features").asInt());
        List<Double> logits = new ArrayList<>();
        byLogit.path("matches").forEach(m -> logits.add(m.path("logit").asDouble()));
        assertFalse(logits.isEmpty());
        assertTrue(byLogit.path("matches").findValuesAsText("feature").contains(String.valueOf(STRINGS)), byLogit.toString());
        for (int i = 1; i < logits.size(); i++) {
            assertTrue(logits.get(i) <= logits.get(i - 1), "strongest first: " + logits);
        }

        JsonNode byToken = server.post("/api/sae/search", Map.of("sae", SAE, "query", "def", "by", "token", "limit", 5))
                .assertOk().json().path("matches");
        assertTrue(byToken.size() > 0 && byToken.size() <= 5, byToken.toString());
        for (JsonNode match : byToken) {
            JsonNode page = server.post("/api/sae/dashboard", Map.of("sae", SAE, "feature", match.path("feature").asInt()))
                    .assertOk().json().path("page");
            int firingOnDef = 0;
            for (JsonNode context : page.path("top")) {
                firingOnDef += context.path("tokens").get(context.path("position").asInt()).asText().strip().equals("def") ? 1 : 0;
            }
            assertEquals(firingOnDef, match.path("contexts").asInt(), match.toString());
        }
        assertEquals(0, server.post("/api/sae/search", Map.of("sae", SAE, "query", "no feature fires on this", "by", "text"))
                .assertOk().json().path("matches").size());
    }

    @Test
    void clampingAFeatureStreamsTheBaselineAndTheSteeredContinuation() {
        String prompt = "def greet(name):\n    print(";
        List<ServerSentEvents.Event> events = ServerSentEvents.post(server, "/api/sae/steer",
                Map.of("prompt", prompt, "sae", SAE, "feature", STRINGS, "value", 4, "maxNewTokens", 10));
        JsonNode feature = events.stream().filter(e -> e.name().equals("feature")).findFirst().orElseThrow().data();
        assertEquals(STRINGS, feature.path("feature").asInt());
        assertEquals(4.0, feature.path("value").asDouble());
        int[] prompted = phi.encode(prompt);
        int[] baseline = phi.generate(prompted, 10, Sampler.Settings.GREEDY, id -> true).tokens();
        var hooks = phi.newHooks();
        SaeSplice.attach(hooks, sae, SaeSplice.Output.WITH_ERROR).clamp(STRINGS, 4f);
        int[] steered = phi.generate(prompted, 10, Sampler.Settings.GREEDY, hooks, id -> true).tokens();
        assertFalse(Arrays.equals(baseline, steered), "the clamp changes the continuation");
        assertArrayEquals(baseline, tokens(events, "baseline"));
        assertArrayEquals(steered, tokens(events, "steered"));
    }

    private static int[] tokens(List<ServerSentEvents.Event> events, String continuation) {
        return events.stream().filter(e -> e.name().equals("token") && e.data().path("continuation").asText().equals(continuation))
                .mapToInt(e -> e.data().path("id").asInt()).toArray();
    }

    @Test
    void attributionIsTheProbesModulesSplitOfTheLogitDifference() {
        int position = ids.length - 2;
        JsonNode result = server.post("/api/sae/attribution", Map.of("prompt", PROMPT, "sae", SAE, "position", position,
                "token", " name", "versus", "'", "top", 4)).assertOk().json();
        FeatureAttribution.Result expected = FeatureAttribution.compute(phi, sae, ids, position, phi.encode(" name")[0],
                phi.encode("'")[0]);
        assertEquals("blocks.2.hook_resid_post", result.path("hook").asText());
        assertEquals(expected.features().size(), result.path("firing").asInt());
        assertEquals(4, result.path("features").size());
        for (int i = 0; i < 4; i++) {
            JsonNode share = result.path("features").get(i);
            assertEquals(expected.features().get(i).feature(), share.path("feature").asInt());
            assertEquals(expected.features().get(i).value(), share.path("value").asDouble(), 0.0);
        }
        double parts = result.path("otherFeatures").asDouble() + result.path("decoderBias").asDouble() + result.path("error").asDouble();
        for (JsonNode share : result.path("features")) {
            parts += share.path("value").asDouble();
        }
        assertEquals(result.path("hookShare").asDouble(), parts, 1e-4, "the features, b_dec and the error make the hook's share");
        assertEquals(expected.modelLogitDifference(), result.path("modelLogitDifference").asDouble(), 0.0);
    }

    @Test
    void badRequestsNameTheirField() {
        server.post("/api/sae/activations", Map.of("prompt", PROMPT, "sae", "nope")).assertFieldError(400, "sae", "GET /api/saes");
        server.post("/api/sae/activations", Map.of("prompt", PROMPT, "sae", "../saes/" + SAE)).assertFieldError(400, "sae", "no SAE");
        server.post("/api/sae/activations", Map.of("prompt", PROMPT)).assertFieldError(400, "sae", "required");
        server.post("/api/sae/activations", Map.of("prompt", PROMPT, "sae", SAE, "topK", 65)).assertFieldError(400, "topK", "1..64");
        server.post("/api/sae/activations", Map.of("prompt", PROMPT, "sae", SAE, "feature", -1)).assertFieldError(400, "feature", "0..1023");
        server.post("/api/sae/activations", Map.of("prompt", " a b".repeat(1100), "sae", SAE)).assertError(400, "the limit is 2048");
        server.post("/api/sae/search", Map.of("sae", SAE, "query", "def", "by", "meaning")).assertFieldError(400, "by", "token, text, logit");
        server.post("/api/sae/search", Map.of("sae", SAE, "query", "")).assertFieldError(400, "query", "1..200");
        server.post("/api/sae/search", Map.of("sae", SAE, "query", "def", "limit", 101)).assertFieldError(400, "limit", "1..100");
        server.post("/api/sae/steer", Map.of("prompt", PROMPT, "sae", SAE)).assertFieldError(400, "feature", "required");
        server.post("/api/sae/attribution", Map.of("prompt", PROMPT, "sae", SAE, "token", " name")).assertFieldError(400, "versus",
                "required");
        server.post("/api/sae/attribution", Map.of("prompt", PROMPT, "sae", SAE, "token", " name", "versus", "'", "position", 99))
                .assertFieldError(400, "position", "0..");
        server.post("/api/sae/attribution", Map.of("prompt", PROMPT, "sae", SAE, "token", " name", "versus", "'", "top", 0))
                .assertFieldError(400, "top", "1..64");
        server.post("/api/sae/steer", Map.of("prompt", PROMPT, "sae", SAE, "feature", 1, "value", 1e9)).assertFieldError(400, "value", "-1000");
        server.post("/api/sae/steer", "{\"prompt\": \"x\", \"sae\": \"" + SAE + "\", \"feature\": 1, \"value\": NaN}")
                .assertFieldError(400, "value", "finite number");
    }

    @Test
    void aFolderWithoutDashboardsOrAnUnusableSaeSaysWhatToDo(@org.junit.jupiter.api.io.TempDir Path saes) throws Exception {
        Path shipped = phi.model().directory().resolve("saes").resolve(SAE);
        Path copy = java.nio.file.Files.createDirectories(saes.resolve("no-dashboards"));
        java.nio.file.Files.copy(shipped.resolve("cfg.json"), copy.resolve("cfg.json"));
        java.nio.file.Files.copy(shipped.resolve("sae_weights.safetensors"), copy.resolve("sae_weights.safetensors"));
        Path wrong = java.nio.file.Files.createDirectories(saes.resolve("wrong-hook"));
        java.nio.file.Files.writeString(wrong.resolve("cfg.json"), java.nio.file.Files.readString(shipped.resolve("cfg.json"))
                .replace("blocks.2.hook_resid_post", "blocks.9.hook_resid_post"));
        java.nio.file.Files.copy(shipped.resolve("sae_weights.safetensors"), wrong.resolve("sae_weights.safetensors"));
        SaeLibrary library = new SaeLibrary(phi, saes);
        List<SaeLibrary.SaeInfo> listed = library.list().saes();
        assertEquals(List.of("no-dashboards", "wrong-hook"), listed.stream().map(SaeLibrary.SaeInfo::name).toList());
        assertFalse(listed.get(0).dashboards());
        assertTrue(listed.get(1).error().contains("blocks.9"), listed.get(1).error());
        var missing = org.junit.jupiter.api.Assertions.assertThrows(phiscope.web.server.ApiException.class,
                () -> library.dashboards("no-dashboards"));
        assertEquals(404, missing.status());
        assertTrue(missing.getMessage().contains("phiscope sae dashboard --sae " + copy), missing.getMessage());
    }
}

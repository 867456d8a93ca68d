package phiscope.web.explore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.Phi;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.model.BundledModel;
import phiscope.engine.model.PhiModel;
import phiscope.engine.model.Sampler;
import phiscope.engine.model.WeightOptions;
import phiscope.engine.tensor.WeightFormat;
import phiscope.probes.intervention.Intervention;
import phiscope.probes.intervention.InterventionStamp;
import phiscope.web.ApiTest;
import phiscope.web.Limits;
import phiscope.web.TestServer;
import phiscope.web.TestServer.Response;

/** Every explore endpoint against the engine's own numbers, and its refusals of bad requests. */
class ExploreApiTest extends ApiTest {

    private static final String PROMPT = "def fibonacci(n):\n    return n";

    static int[] ids;

    @BeforeAll
    static void prepare() {
        ids = phi.encode(PROMPT);
    }

    private static ActivationCache engineCapture(String... hooks) {
        var registered = phi.newHooks();
        ActivationCache cache = ActivationCache.capture(registered, hooks);
        phi.model().forward(ids, registered, PhiModel.Logits.NONE);
        return cache;
    }

    private static void assertError(Response response, int status, String messagePart) {
        response.assertError(status, messagePart);
    }

    // --- model, status, unknown routes

    @Test
    void modelInfoDescribesTheBundledModelAndTheLimits() {
        Response response = server.get("/api/model");
        assertEquals(200, response.status());
        JsonNode model = response.json();
        assertEquals("nanophi-py", model.get("name").asText());
        assertEquals(4, model.get("layers").asInt());
        assertEquals(4, model.get("heads").asInt());
        assertEquals(128, model.get("dModel").asInt());
        assertEquals(512, model.get("dMlp").asInt());
        assertEquals(2048, model.get("context").asInt());
        assertEquals(phi.model().weights().format().label(), model.get("weights").asText());
        assertFalse(model.get("quantized").asBoolean());
        assertEquals(4 * 5 + 2, model.get("residualHooks").size());
        assertEquals("blocks.0.hook_resid_pre", model.get("residualHooks").get(1).asText());
        assertEquals(Limits.DEFAULTS.maxNewTokens(), model.get("limits").get("maxNewTokens").asInt());
    }

    @Test
    void modelInfoSaysWhenTheWeightsAreQuantized(@TempDir Path folders) {
        Phi quantized = Phi.load(BundledModel.directory(), 2, WeightOptions.quantized(WeightFormat.Q8_0));
        try (TestServer q8 = new TestServer(quantized, Limits.DEFAULTS, folders)) {
            JsonNode model = q8.get("/api/model").json();
            assertEquals("q8_0", model.get("weights").asText());
            assertTrue(model.get("quantized").asBoolean());
        }
    }

    @Test
    void modelInfoNamesTheInterventionOfAnEditedModel(@TempDir Path folders) {
        assertTrue(server.get("/api/model").json().get("intervention").isNull(), "the model as it is has none");
        Path file = folders.resolve("edit.json");
        Intervention ablation = new Intervention("no head 2 in block 1", List.of(
                new Intervention.Ablate("blocks.1.attn.hook_z", new int[] {2}, Intervention.Replacement.ZERO, null, null)));
        ablation.save(file);
        Phi edited = ablation.applyTo(Phi.load(BundledModel.directory(), 2));
        try (TestServer editedServer = new TestServer(edited, Optional.of(InterventionStamp.of(file, ablation)), Limits.DEFAULTS, folders)) {
            assertEquals("no head 2 in block 1", editedServer.get("/api/model").json().get("intervention").asText());
        }
    }

    @Test
    void statusReportsTheQueue() {
        JsonNode status = server.get("/api/status").json();
        assertEquals(Limits.DEFAULTS.analysisQueue(), status.get("analysisCapacity").asInt());
        assertEquals(0, status.get("waitingAnalyses").asInt());
    }

    @Test
    void unknownEndpointsAndMethodsAreJsonErrors() {
        assertError(server.get("/api/nothing-here"), 404, "no such endpoint: GET /api/nothing-here");
        // The endpoint exists, only not for GET: 405 with the methods it takes (RFC 9110), not 404.
        Response wrongMethod = server.get("/api/tokenize");
        assertError(wrongMethod, 405, "GET is not allowed on /api/tokenize");
        assertEquals("POST", wrongMethod.raw().headers().firstValue("Allow").orElse("no Allow header"));
    }

    @Test
    void theWorkbenchPageIsServed() {
        Response page = server.get("/");
        assertEquals(200, page.status());
        assertTrue(page.raw().body().contains("phiscope"));
    }

    // --- tokenize

    @Test
    void tokenizeShowsIdsTextAndVocabularySpelling() {
        JsonNode response = server.post("/api/tokenize", Map.of("prompt", "\n        print")).json();
        assertEquals(3, response.get("count").asInt());
        assertEquals(2048, response.get("context").asInt());
        JsonNode tokens = response.get("tokens");
        assertEquals(List.of(198, 50280, 4798), List.of(tokens.get(0).get("id").asInt(), tokens.get(1).get("id").asInt(),
                tokens.get(2).get("id").asInt()));
        assertEquals("\n", tokens.get(0).get("text").asText());
        assertEquals("Ċ", tokens.get(0).get("token").asText());
        assertEquals("        ", tokens.get(1).get("text").asText());
        assertEquals(2, tokens.get(2).get("index").asInt());
    }

    @Test
    void tokenizeRefusesBadBodies() {
        assertError(server.post("/api/tokenize", Map.of()), 400, "field 'prompt' is required");
        assertError(server.post("/api/tokenize", Map.of("prompt", "")), 400, "must not be empty");
        assertError(server.post("/api/tokenize", Map.of("prompt", 5)), 400, "field 'prompt' is 5; it must be a string");
        assertError(server.post("/api/tokenize", Map.of("prompt", "x", "promt", "y")), 400, "unknown field 'promt'; known fields: prompt");
        assertError(server.post("/api/tokenize", "{\"prompt\": "), 400, "the body is not valid JSON (line 1, column 12): it ends before "
                + "an object is closed with }");
        assertError(server.post("/api/tokenize", "{\"prompt\": \"a\", // a comment\n}"), 400, "the body is not valid JSON (line 1, "
                + "column 17): Unexpected character ('/' (code 47)): maybe a (non-standard) comment?");
        assertError(server.post("/api/tokenize", "[1, 2]"), 400, "the body must be a JSON object, not an array");
        assertError(server.post("/api/tokenize", Map.of("prompt", "a".repeat(Limits.DEFAULTS.maxBodyBytes() + 10))), 413, "");
    }

    // --- every endpoint

    private static List<String> postEndpoints() {
        List<String> posts = server.workbench().app().routes().stream()
                .filter(route -> route.startsWith("POST "))
                .map(route -> route.substring("POST ".length()))
                .toList();
        assertTrue(posts.size() >= 16 && posts.contains("/api/run") && posts.contains("/api/audits/start"), posts.toString());
        return posts;
    }

    @Test
    void everyPostEndpointAnswersANullBodyWithA400() {
        for (String path : postEndpoints()) {
            assertError(server.post(path, "null"), 400, "the body must be a JSON object, not null");
        }
    }

    @Test
    void everyPostEndpointRefusesMalformedBodiesInTheClientsTerms() {
        Map<String, String> answers = Map.of(
                "\"text\"", "the body must be a JSON object, not a string",
                "[{}]", "the body must be a JSON object, not an array",
                "{\"prompt\": \"x\"", "it ends before an object is closed with }",
                "{\"prompt\": +1}", "JSON spec does not allow numbers to have plus signs",
                "{\"prompt\": NaN}", "field 'prompt' is NaN; it must be a finite number",
                "{\"nonsense\": 1}", "unknown field 'nonsense'",
                "{\"prompt\": 1" + "0".repeat(1000) + "}", "a number is 1001 characters long; at most 1000 are allowed");
        for (String path : postEndpoints()) {
            answers.forEach((body, answer) -> assertError(server.post(path, body), 400, answer));
        }
    }

    // --- malformed numbers

    @Test
    void anIntegerTooLargeForItsFieldIsOutOfRangeLikeAnyOther() {
        Response largest = server.post("/api/run", "{\"prompt\": \"The quick brown fox\", \"topK\": 2147483647}");
        largest.assertFieldError(400, "topK", "field 'topK' is 2147483647; it must be in 1..50");
        for (String tooLarge : List.of("2147483648", "1000000000000", "9223372036854775808", "-100000000000000000000")) {
            Response refused = server.post("/api/run", "{\"prompt\": \"The quick brown fox\", \"topK\": " + tooLarge + "}");
            refused.assertFieldError(400, "topK", "field 'topK' is " + tooLarge + "; it must be in 1..50");
            assertEquals(largest.json().get("min"), refused.json().get("min"));
            assertEquals(largest.json().get("max"), refused.json().get("max"));
        }
        server.post("/api/attention/pattern", "{\"prompt\": \"x\", \"layer\": 0, \"head\": 4294967296}")
                .assertFieldError(400, "head", "field 'head' is 4294967296; it must be in 0..3");
        server.post("/api/generate", "{\"prompt\": \"x\", \"topK\": 2147483648}")
                .assertFieldError(400, "topK", "field 'topK' is 2147483648; it must be in 0.." + phi.vocabularyLimit());
        Response seed = server.post("/api/generate", "{\"prompt\": \"x\", \"seed\": 9223372036854775808}");
        seed.assertFieldError(400, "seed", "field 'seed' is 9223372036854775808; it must be in -9223372036854775808..9223372036854775807");
        assertEquals(Long.MAX_VALUE, seed.json().get("max").longValue());

        List<ServerSentEvents.Event> largestSeed = ServerSentEvents.post(server,
                Map.of("prompt", PROMPT, "maxNewTokens", 2, "temperature", 1, "seed", Long.MIN_VALUE));
        assertEquals("done", largestSeed.getLast().name(), "every long is a seed");
    }

    @Test
    void nanAndInfinityAreRefusedNamingTheField() {
        server.post("/api/run", "{\"prompt\": \"x\", \"topK\": NaN}")
                .assertFieldError(400, "topK", "field 'topK' is NaN; it must be a finite number");
        server.post("/api/generate", "{\"prompt\": \"x\", \"temperature\": Infinity}")
                .assertFieldError(400, "temperature", "field 'temperature' is Infinity; it must be a finite number");
        server.post("/api/steer", "{\"prompt\": \"x\", \"plus\": \"a\", \"minus\": \"b\", \"coefficient\": -Infinity}")
                .assertFieldError(400, "coefficient", "field 'coefficient' is -Infinity; it must be a finite number");
        server.post("/api/activations/direction", "{\"prompt\": \"x\", \"hook\": \"hook_embed\", \"vector\": [1, NaN, 0]}")
                .assertFieldError(400, "vector[1]", "field 'vector[1]' is NaN; it must be a finite number");
        server.post("/api/activations/direction", "{\"prompt\": \"x\", \"hook\": \"hook_embed\", \"vector\": [1, null]}")
                .assertFieldError(400, "vector[1]", "field 'vector[1]' is null; it must be a number");
    }

    // --- run

    @Test
    void runGivesTokensAndTheTopPredictionsAtEveryPosition() {
        JsonNode run = server.post("/api/run", Map.of("prompt", PROMPT, "topK", 3)).json();
        assertEquals(ids.length, run.get("tokens").size());
        JsonNode predictions = run.get("predictions");
        assertEquals(ids.length, predictions.size());
        float[] logits = phi.model().forward(ids, PhiModel.Logits.ALL);
        int vocab = phi.config().vocabSize();
        for (int t = 0; t < ids.length; t++) {
            JsonNode top = predictions.get(t).get("top");
            assertEquals(3, top.size());
            assertEquals(Sampler.argmax(logits, t * vocab, t * vocab + phi.vocabularyLimit()), top.get(0).get("id").asInt());
            assertTrue(top.get(0).get("probability").floatValue() >= top.get(1).get("probability").floatValue());
            // A softmax over the real tokens (ids below vocabularyLimit). The server sums their 50,295
            // exponentials in float32, good to a few parts in 100,000 (2.5e-5 seen), hence the relative bound.
            double logNormalizer = logSumExp(logits, t * vocab, phi.vocabularyLimit());
            for (JsonNode prediction : top) {
                double expected = Math.exp(logits[t * vocab + prediction.get("id").asInt()] - logNormalizer);
                assertEquals(expected, prediction.get("probability").doubleValue(), 1e-4 * expected, "position " + t);
            }
            if (t + 1 < ids.length) {
                double expected = Math.exp(logits[t * vocab + ids[t + 1]] - logNormalizer);
                assertEquals(expected, predictions.get(t).get("nextTokenProbability").doubleValue(), 1e-4 * expected,
                        "next token at position " + t);
            }
        }
        assertTrue(predictions.get(ids.length - 1).get("nextTokenProbability").isNull(), "nothing follows the last token");
    }

    /** log(sum(exp(x[from .. from + count)))) in double, the normaliser of a softmax. */
    private static double logSumExp(float[] x, int from, int count) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < from + count; i++) {
            max = Math.max(max, x[i]);
        }
        double sum = 0;
        for (int i = from; i < from + count; i++) {
            sum += Math.exp(x[i] - max);
        }
        return max + Math.log(sum);
    }

    @Test
    void runRefusesBadParametersAndPromptsLongerThanTheContext() {
        assertError(server.post("/api/run", Map.of("prompt", PROMPT, "topK", 0)), 400, "field 'topK' is 0; it must be in 1..50");
        assertError(server.post("/api/run", Map.of("prompt", PROMPT, "topK", "3")), 400, "field 'topK' is a string; it must be an integer");
        assertError(server.post("/api/run", Map.of("prompt", PROMPT, "topK", 1.5)), 400, "field 'topK' is 1.5; it must be an integer");
        Response tooLong = server.post("/api/run", Map.of("prompt", " a".repeat(2100)));
        assertError(tooLong, 400, "the prompt has 2100 tokens; the limit is 2048");
        assertEquals(2100, tooLong.json().get("tokens").asInt());
    }

    // --- attention

    @Test
    void summaryScoresEveryHeadFromItsPattern() {
        JsonNode summary = server.post("/api/attention/summary", Map.of("prompt", PROMPT)).json();
        assertEquals(4, summary.get("layers").asInt());
        assertEquals(ids.length, summary.get("tokens").asInt());
        assertEquals(List.of("entropy", "previousToken", "firstToken", "currentToken", "maxWeight"),
                Json.list(summary.get("metrics")));
        float[] pattern = engineCapture("blocks.2.attn.hook_pattern").get("blocks.2.attn.hook_pattern").data();
        int t = ids.length;
        double previous = 0;
        double first = 0;
        double current = 0;
        double largest = 0;
        double entropy = 0;
        for (int q = 0; q < t; q++) {
            int row = (3 * t + q) * t;
            first += pattern[row];
            current += pattern[row + q];
            if (q > 0) {
                previous += pattern[row + q - 1];
            }
            double rowMax = 0;
            for (int k = 0; k <= q; k++) {
                double p = pattern[row + k];
                rowMax = Math.max(rowMax, p);
                entropy -= p > 0 ? p * Math.log(p) : 0;
            }
            largest += rowMax;
        }
        JsonNode scores = summary.get("scores");
        assertEquals(first / t, scores.get("firstToken").get(2).get(3).doubleValue(), 1e-5);
        assertEquals(previous / (t - 1), scores.get("previousToken").get(2).get(3).doubleValue(), 1e-5);
        assertEquals(current / t, scores.get("currentToken").get(2).get(3).doubleValue(), 1e-5);
        assertEquals(largest / t, scores.get("maxWeight").get(2).get(3).doubleValue(), 1e-5);
        assertEquals(entropy / t, scores.get("entropy").get(2).get(3).doubleValue(), 1e-5, "mean entropy of the rows, in nats");
    }

    @Test
    void thumbnailsCoverEveryHeadOfALayer() {
        JsonNode thumbnails = server.post("/api/attention/thumbnails", Map.of("prompt", PROMPT, "layer", 1)).json();
        assertEquals(1, thumbnails.get("layer").asInt());
        assertEquals(4, thumbnails.get("heads").size());
        float[] engine = engineCapture("blocks.1.attn.hook_pattern").get("blocks.1.attn.hook_pattern").data();
        int t = ids.length;
        for (int h = 0; h < 4; h++) {
            JsonNode head = thumbnails.get("heads").get(h);
            assertEquals(t, head.size(), "short prompts are not binned");
            for (int q = 0; q < t; q++) {
                assertEquals(q + 1, head.get(q).size(), "the causal lower triangle");
                for (int k = 0; k <= q; k++) {
                    assertEquals(engine[(h * t + q) * t + k], head.get(q).get(k).doubleValue(), 5e-4, "head " + h + " query " + q + " key " + k);
                }
            }
        }
        assertError(server.post("/api/attention/thumbnails", Map.of("prompt", PROMPT, "layer", 4)), 400, "it must be in 0..3");
        assertError(server.post("/api/attention/thumbnails", Map.of("prompt", PROMPT)), 400, "field 'layer' is required");
    }

    @Test
    void aHeadsPatternIsTheEnginesHookPattern() {
        JsonNode pattern = server.post("/api/attention/pattern", Map.of("prompt", PROMPT, "layer", 3, "head", 2)).json();
        float[] engine = engineCapture("blocks.3.attn.hook_pattern").get("blocks.3.attn.hook_pattern").data();
        int t = ids.length;
        assertEquals(t, pattern.get("tokens").asInt());
        assertEquals(false, pattern.get("downsampled").asBoolean());
        JsonNode values = pattern.get("values");
        for (int q = 0; q < t; q++) {
            assertEquals(q + 1, values.get(q).size(), "the causal lower triangle");
            for (int k = 0; k <= q; k++) {
                assertEquals(engine[(2 * t + q) * t + k], values.get(q).get(k).floatValue(), 0f);
            }
        }
    }

    @Test
    void longPatternsAreDownsampledOnTheServer() {
        JsonNode pattern = server.post("/api/attention/pattern", Map.of("prompt", PROMPT, "layer", 0, "head", 0, "size", 4)).json();
        assertTrue(pattern.get("downsampled").asBoolean());
        assertEquals(4, pattern.get("binStarts").size());
        assertEquals(4, pattern.get("values").size());
        assertEquals(4, pattern.get("values").get(3).size());
    }

    @Test
    void patternRefusesOutOfRangeLayersHeadsAndSizes() {
        assertError(server.post("/api/attention/pattern", Map.of("prompt", PROMPT, "layer", -1, "head", 0)), 400, "'layer' is -1");
        assertError(server.post("/api/attention/pattern", Map.of("prompt", PROMPT, "layer", 0, "head", 4)), 400, "'head' is 4; it must be in 0..3");
        assertError(server.post("/api/attention/pattern", Map.of("prompt", PROMPT, "layer", 0, "head", 0, "size", 5000)), 400, "'size'");
        assertError(server.post("/api/attention/pattern", Map.of("prompt", PROMPT, "layer", 0)), 400, "field 'head' is required");
    }

    @Test
    void queryAttentionIsOneRowOfEveryHead() {
        int position = 3;
        JsonNode query = server.post("/api/attention/query", Map.of("prompt", PROMPT, "layer", 1, "position", position)).json();
        float[] engine = engineCapture("blocks.1.attn.hook_pattern").get("blocks.1.attn.hook_pattern").data();
        int t = ids.length;
        assertEquals(4, query.get("heads").size());
        for (int h = 0; h < 4; h++) {
            float[] row = Json.floats(query.get("heads").get(h));
            assertEquals(position + 1, row.length);
            for (int k = 0; k <= position; k++) {
                assertEquals(engine[(h * t + position) * t + k], row[k], 0f);
            }
        }
        JsonNode last = server.post("/api/attention/query", Map.of("prompt", PROMPT, "layer", 1)).json();
        assertEquals(t - 1, last.get("position").asInt(), "the last token by default");
        assertError(server.post("/api/attention/query", Map.of("prompt", PROMPT, "layer", 1, "position", t)), 400, "'position' is " + t);
    }

    // --- activations

    @Test
    void aNeuronsActivationAtEveryToken() {
        JsonNode neuron = server.post("/api/activations/neuron", Map.of("prompt", PROMPT, "layer", 2, "neuron", 77)).json();
        assertEquals("blocks.2.mlp.hook_post", neuron.get("hook").asText());
        float[] mlp = engineCapture("blocks.2.mlp.hook_post").get("blocks.2.mlp.hook_post").data();
        float[] values = Json.floats(neuron.get("values"));
        assertEquals(ids.length, values.length);
        for (int t = 0; t < ids.length; t++) {
            assertEquals(mlp[t * 512 + 77], values[t], 0f);
        }
        JsonNode pre = server.post("/api/activations/neuron", Map.of("prompt", PROMPT, "layer", 2, "neuron", 77, "site", "pre")).json();
        assertEquals("blocks.2.mlp.hook_pre", pre.get("hook").asText());
        assertError(server.post("/api/activations/neuron", Map.of("prompt", PROMPT, "layer", 2, "neuron", 512)), 400, "0..511");
        assertError(server.post("/api/activations/neuron", Map.of("prompt", PROMPT, "layer", 2, "neuron", 1, "site", "mid")), 400, "'site' is 'mid'");
    }

    @Test
    void topNeuronsAreTheLargestActivationsAtAToken() {
        JsonNode top = server.post("/api/activations/top-neurons", Map.of("prompt", PROMPT, "layer", 0, "position", 2, "k", 5)).json();
        float[] mlp = engineCapture("blocks.0.mlp.hook_post").get("blocks.0.mlp.hook_post").data();
        float[] row = java.util.Arrays.copyOfRange(mlp, 2 * 512, 3 * 512);
        float[] sorted = row.clone();
        java.util.Arrays.sort(sorted);
        JsonNode neurons = top.get("neurons");
        assertEquals(5, neurons.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(sorted[511 - i], neurons.get(i).get("value").floatValue(), 0f);
            assertEquals(row[neurons.get(i).get("neuron").asInt()], neurons.get(i).get("value").floatValue(), 0f);
        }
        assertError(server.post("/api/activations/top-neurons", Map.of("prompt", PROMPT, "layer", 0, "k", 0)), 400, "'k' is 0");
    }

    @Test
    void aResidualDirectionIsTheProjectionOnTheUnitVector() {
        JsonNode projection = server.post("/api/activations/direction",
                Map.of("prompt", PROMPT, "hook", "blocks.1.hook_resid_post", "token", " return", "minusToken", " def")).json();
        assertEquals("unembed(\" return\") - unembed(\" def\")", projection.get("direction").asText());
        float[] residual = engineCapture("blocks.1.hook_resid_post").get("blocks.1.hook_resid_post").data();
        float[] direction = new float[128];
        float[] minus = new float[128];
        var unembedding = phi.model().weights().lmHead().weight();
        unembedding.decodeRows(phi.encode(" return")[0], 1, direction, 0);
        unembedding.decodeRows(phi.encode(" def")[0], 1, minus, 0);
        double norm = 0;
        for (int i = 0; i < 128; i++) {
            direction[i] -= minus[i];
            norm += direction[i] * direction[i];
        }
        float[] values = Json.floats(projection.get("values"));
        for (int t = 0; t < ids.length; t++) {
            double dot = 0;
            for (int i = 0; i < 128; i++) {
                dot += residual[t * 128 + i] * direction[i];
            }
            assertEquals(dot / Math.sqrt(norm), values[t], 1e-4);
        }
        float[] basis = new float[128];
        basis[5] = 2;
        JsonNode axis = server.post("/api/activations/direction", Map.of("prompt", PROMPT, "hook", "hook_embed", "vector", basis)).json();
        assertEquals(engineCapture("hook_embed").get("hook_embed").data()[5], axis.get("values").get(0).floatValue(), 1e-6);
    }

    @Test
    void directionRefusesUnknownHooksAndBadVectors() {
        Response unknown = server.post("/api/activations/direction", Map.of("prompt", PROMPT, "hook", "blocks.1.hook_resid_postt", "token", "x"));
        assertError(unknown, 400, "unknown hook 'blocks.1.hook_resid_postt'");
        assertEquals("blocks.1.hook_resid_post", unknown.json().get("suggestions").get(0).asText());
        assertError(server.post("/api/activations/direction", Map.of("prompt", PROMPT, "hook", "blocks.9.hook_resid_post", "token", "x")),
                400, "unknown hook");
        assertError(server.post("/api/activations/direction", Map.of("prompt", PROMPT, "hook", "blocks.1.attn.hook_pattern", "token", "x")),
                400, "not in the residual space");
        assertError(server.post("/api/activations/direction", Map.of("prompt", PROMPT, "hook", "hook_embed")), 400, "exactly one of");
        assertError(server.post("/api/activations/direction", Map.of("prompt", PROMPT, "hook", "hook_embed", "vector", new float[3])),
                400, "3 components");
        assertError(server.post("/api/activations/direction", Map.of("prompt", PROMPT, "hook", "hook_embed", "vector", new float[128])),
                400, "non-zero");
        assertError(server.post("/api/activations/direction", Map.of("prompt", PROMPT, "hook", "hook_embed", "token", " two words")),
                400, "field 'token' is 2 tokens");
        assertError(server.post("/api/activations/direction", Map.of("prompt", PROMPT, "token", "x")), 400, "field 'hook' is required");
    }

    // --- generation

    @Test
    void generationStreamsTheGreedyContinuation() {
        List<ServerSentEvents.Event> events = ServerSentEvents.post(server, Map.of("prompt", PROMPT, "maxNewTokens", 12));
        assertEquals("start", events.getFirst().name());
        assertEquals(ids.length, events.getFirst().data().get("promptTokens").asInt());
        List<Integer> streamed = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (ServerSentEvents.Event event : events) {
            if (event.name().equals("token")) {
                assertEquals(streamed.size(), event.data().get("index").asInt());
                streamed.add(event.data().get("id").asInt());
                text.append(event.data().get("text").asText());
            }
        }
        ServerSentEvents.Event done = events.getLast();
        assertEquals("done", done.name());
        text.append(done.data().get("text").asText());
        int[] expected = phi.generate(ids, 12, Sampler.Settings.GREEDY, id -> true).tokens();
        assertArrayEquals(expected, streamed.stream().mapToInt(Integer::intValue).toArray());
        assertEquals(phi.decode(expected), text.toString());
        assertEquals(expected.length, done.data().get("generated").asInt());
        assertEquals(expected.length == 12 ? "max_tokens" : "end_of_text", done.data().get("stop").asText());
    }

    @Test
    void seededSamplingIsReproducible() {
        Map<String, Object> request = Map.of("prompt", PROMPT, "maxNewTokens", 8, "temperature", 0.9, "topK", 40, "topP", 0.95, "seed", 7);
        List<Integer> sampled = ServerSentEvents.tokenIds(ServerSentEvents.post(server, request));
        assertEquals(sampled, ServerSentEvents.tokenIds(ServerSentEvents.post(server, request)));
        int[] engine = phi.generate(ids, 8, new Sampler.Settings(0.9, 40, 0.95, 7), id -> true).tokens();
        assertEquals(java.util.Arrays.stream(engine).boxed().toList(), sampled, "the engine's sample with the same settings");
    }

    @Test
    void generationRefusesBadSettingsBeforeStreaming() {
        assertError(server.post("/api/generate", Map.of("prompt", PROMPT, "maxNewTokens", 0)), 400, "'maxNewTokens' is 0");
        assertError(server.post("/api/generate", Map.of("prompt", PROMPT, "maxNewTokens", Limits.DEFAULTS.maxNewTokens() + 1)),
                400, "'maxNewTokens'");
        assertError(server.post("/api/generate", Map.of("prompt", PROMPT, "temperature", -1)), 400, "temperature");
        assertError(server.post("/api/generate", Map.of("prompt", PROMPT, "topP", 0)), 400, "top-p");
        assertError(server.post("/api/generate", Map.of("prompt", PROMPT, "topK", -2)), 400,
                "field 'topK' is -2; it must be in 0.." + phi.vocabularyLimit());
        assertError(server.post("/api/generate", Map.of("prompt", " a".repeat(2048))), 400, "less room to generate");
    }
}

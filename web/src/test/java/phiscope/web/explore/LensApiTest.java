package phiscope.web.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import phiscope.engine.model.PhiModel;
import phiscope.engine.model.Sampler;
import phiscope.probes.lens.DirectLogitAttribution;
import phiscope.probes.lens.LogitLens;
import phiscope.web.ApiTest;
import phiscope.web.TestServer;

/** The logit lens and direct logit attribution endpoints against the probes module run on its own, and their refusals. */
class LensApiTest extends ApiTest {

    private static final String PROMPT = "def fibonacci(n):\n    if n < 2:\n        return n";

    static int[] ids;

    @BeforeAll
    static void prepare() {
        ids = phi.encode(PROMPT);
    }

    private static Map<String, Object> request(Object... fields) {
        return TestServer.fields(Map.of("prompt", PROMPT), fields);
    }

    @Test
    void theLensIsTheProbesLensOfThePromptStageByStage() {
        int target = phi.encode(" n")[0];
        JsonNode lens = server.post("/api/lens", request("topK", 3, "target", " n")).assertOk().json();
        assertEquals(List.of("embed", "blocks.0", "blocks.1", "blocks.2", "blocks.3"), Json.list(lens.get("stages")));
        assertEquals(0, lens.get("first").asInt());
        assertEquals(ids.length - 1, lens.get("last").asInt());
        assertEquals(target, lens.get("target").get("id").asInt());
        assertEquals(" n", lens.get("target").get("text").asText());
        int[] positions = IntStream.range(0, ids.length).toArray();
        LogitLens.Result expected = LogitLens.run(phi.model(), ids, positions, 3, phi.vocabularyLimit(), target,
                id -> phi.decode(new int[] {id}));
        JsonNode cells = lens.get("cells");
        for (LogitLens.Cell cell : expected.cells()) {
            int stage = Json.list(lens.get("stages")).indexOf(cell.stage());
            JsonNode got = cells.get(stage).get(cell.position());
            for (int k = 0; k < 3; k++) {
                assertEquals(cell.top().get(k).id(), got.get("top").get(k).get("id").asInt(), cell.stage() + " " + cell.position());
                assertEquals(cell.top().get(k).probability(), got.get("top").get(k).get("probability").asDouble(), 1e-6);
            }
            assertEquals(cell.targetRank(), got.get("targetRank").asInt());
            assertEquals(cell.targetProbability(), got.get("targetProbability").asDouble(), 1e-6);
        }
        // After the last block the lens is the model's own prediction.
        float[] logits = phi.model().forward(ids, PhiModel.Logits.ALL);
        int vocab = phi.config().vocabSize();
        for (int t = 0; t < ids.length; t++) {
            assertEquals(Sampler.argmax(logits, t * vocab, t * vocab + phi.vocabularyLimit()),
                    cells.get(4).get(t).get("top").get(0).get("id").asInt());
        }
        JsonNode untargeted = server.post("/api/lens", request()).assertOk().json();
        assertTrue(untargeted.get("target").isNull());
        assertTrue(untargeted.get("cells").get(0).get(0).get("targetRank").isNull());
        assertEquals(5, untargeted.get("cells").get(0).get(0).get("top").size(), "five tokens by default");
    }

    @Test
    void aLongPromptIsReadThroughAWindowOfPositions() {
        String longPrompt = "x = 1\n".repeat(30);
        int tokens = phi.encode(longPrompt).length;
        assertTrue(tokens > 64, "the prompt is longer than one window: " + tokens);
        JsonNode tail = server.post("/api/lens", Map.of("prompt", longPrompt)).assertOk().json();
        assertEquals(tokens - 64, tail.get("first").asInt());
        assertEquals(tokens - 1, tail.get("last").asInt());
        assertEquals(64, tail.get("cells").get(0).size());
        JsonNode window = server.post("/api/lens", Map.of("prompt", longPrompt, "first", 10)).assertOk().json();
        assertEquals(73, window.get("last").asInt());
        JsonNode ending = server.post("/api/lens", Map.of("prompt", longPrompt, "last", 20)).assertOk().json();
        assertEquals(0, ending.get("first").asInt());
        assertEquals(21, ending.get("cells").get(2).size());
        // The window at 10..73 and the whole tail agree where they overlap.
        assertEquals(tail.get("cells").get(3).get(73 - (tokens - 64)), window.get("cells").get(3).get(63));
        server.post("/api/lens", Map.of("prompt", longPrompt, "first", 10, "last", 74)).assertFieldError(400, "last", "it must be in 10..73");
    }

    @Test
    void theLensRefusesBadParameters() {
        int t = ids.length;
        server.post("/api/lens", request("topK", 0)).assertFieldError(400, "topK", "field 'topK' is 0; it must be in 1..20");
        server.post("/api/lens", request("topK", 21)).assertFieldError(400, "topK", "1..20");
        server.post("/api/lens", request("first", -1)).assertFieldError(400, "first", "field 'first' is -1; it must be in 0.." + (t - 1));
        server.post("/api/lens", request("first", 5, "last", 4)).assertFieldError(400, "last", "it must be in 5..");
        server.post("/api/lens", request("last", t)).assertFieldError(400, "last", "field 'last' is " + t);
        server.post("/api/lens", request("target", " two words")).assertFieldError(400, "target", "field 'target' is 2 tokens");
        server.post("/api/lens", request("target", "")).assertFieldError(400, "target", "must not be empty");
        server.post("/api/lens", request("targt", " n")).assertFieldError(400, "targt", "unknown field 'targt'");
        server.post("/api/lens", request("first", "3")).assertFieldError(400, "first", "field 'first' is a string; it must be an integer");
        server.post("/api/lens", Map.of()).assertFieldError(400, "prompt", "field 'prompt' is required");
    }

    @Test
    void theAttributionIsTheProbesAttributionAndAddsUpToTheModelsLogitDifference() {
        int position = 5;
        int token = phi.encode(" n")[0];
        int versus = phi.encode(" return")[0];
        JsonNode dla = server.post("/api/attribution", request("position", position, "token", " n", "versus", " return"))
                .assertOk().json();
        DirectLogitAttribution.Result expected = DirectLogitAttribution.compute(phi.model(), ids, position, token, versus);
        assertEquals(position, dla.get("position").asInt());
        assertEquals(token, dla.get("token").get("id").asInt());
        assertEquals(" return", dla.get("versus").get("text").asText());
        double sum = dla.get("embed").asDouble() + dla.get("constant").asDouble();
        for (DirectLogitAttribution.Contribution c : expected.contributions()) {
            double got = switch (c.kind()) {
                case "head" -> dla.get("heads").get(c.layer()).get(c.head()).asDouble();
                case "attn_bias" -> dla.get("attentionBias").get(c.layer()).asDouble();
                case "mlp" -> dla.get("mlp").get(c.layer()).asDouble();
                case "embed" -> dla.get("embed").asDouble();
                default -> dla.get("constant").asDouble();
            };
            assertEquals(c.value(), got, 1e-6, c.component());
            if (c.kind().equals("head") || c.kind().equals("attn_bias") || c.kind().equals("mlp")) {
                sum += got;
            }
        }
        assertEquals(dla.get("total").asDouble(), sum, 1e-9, "total is the sum of the parts shown");
        float[] logits = phi.model().forward(ids, PhiModel.Logits.ALL);
        int vocab = phi.config().vocabSize();
        double model = (double) logits[position * vocab + token] - logits[position * vocab + versus];
        // The attribution's pass materialises hook_result, which sums heads one by one: rounding differs slightly.
        assertEquals(model, dla.get("modelLogitDifference").asDouble(), 1e-5);
        assertEquals(model, sum, 2e-4 * Math.max(1, Math.abs(model)));
        assertEquals(ids.length - 1, server.post("/api/attribution", request("token", " n", "versus", " return")).json()
                .get("position").asInt(), "the last token by default");
    }

    @Test
    void theAttributionRefusesBadParameters() {
        server.post("/api/attribution", request("versus", " n")).assertFieldError(400, "token", "field 'token' is required");
        server.post("/api/attribution", request("token", " n")).assertFieldError(400, "versus", "field 'versus' is required");
        server.post("/api/attribution", request("token", " n", "versus", " two words"))
                .assertFieldError(400, "versus", "field 'versus' is 2 tokens");
        server.post("/api/attribution", request("token", " n", "versus", " x", "position", ids.length))
                .assertFieldError(400, "position", "field 'position' is " + ids.length + "; it must be in 0.." + (ids.length - 1));
        server.post("/api/attribution", request("token", 3, "versus", " x")).assertFieldError(400, "token", "field 'token' is 3; it must be a string");
    }
}

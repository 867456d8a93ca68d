package phiscope.web.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSelector;
import phiscope.probes.ActivationCollector;
import phiscope.probes.Pooling;
import phiscope.probes.Progress;
import phiscope.probes.data.LabeledText;
import phiscope.probes.data.ProbingDataset;
import phiscope.probes.linear.LinearProbe;
import phiscope.probes.linear.ProbeKind;
import phiscope.probes.linear.ProbeSweep;
import phiscope.probes.linear.ProbeTrainer;
import phiscope.probes.linear.TokenScores;
import phiscope.web.ApiTest;

/** Saved probes and sweeps as the probes folder holds them, a probe's score on a prompt, and the refusals. */
class ProbeScoreApiTest extends ApiTest {

    private static final String PROMPT = "for i in range(3):\n    print(i)\nThe garden was quiet.";
    private static final List<String> CODE = List.of("x = [i * i for i in range(10)]", "def f(a):\n    return a + 1",
            "import os\nprint(os.getcwd())", "while True:\n    break");
    private static final List<String> PROSE = List.of("The children played by the river.", "She read the letter twice.",
            "Rain fell on the quiet town.", "We walked home after dinner.");

    static LinearProbe probe;
    static ProbeSweep.Result sweep;

    @BeforeAll
    static void prepare() throws IOException {
        Path probes = temp.resolve("probes");
        List<String> texts = new ArrayList<>(CODE);
        texts.addAll(PROSE);
        HookPoint point = HookPoint.parse("blocks.2.hook_resid_post", phi.config());
        float[][] x = ActivationCollector.collect(phi, texts, List.of(point), Pooling.MEAN, Progress.NONE).get(point);
        probe = new ProbeTrainer(ProbeKind.LOGISTIC, ProbeTrainer.DEFAULT_L2).train(point.name(), Pooling.MEAN,
                List.of("code", "prose"), x, new int[] {0, 0, 0, 0, 1, 1, 1, 1});
        probe.save(probes.resolve("code-vs-prose"), null);
        // A probe of another model: its hook is past this model's last block.
        new LinearProbe(ProbeKind.DIFFERENCE_OF_MEANS, "blocks.9.hook_resid_post", Pooling.LAST, List.of("a", "b"),
                new float[128], ones(128), new float[][] {ones(128)}, new float[1]).save(probes.resolve("other/deep"), null);

        List<LabeledText> examples = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            examples.add(new LabeledText(texts.get(i), i < 4 ? "code" : "prose", "", i + 1));
        }
        ProbingDataset dataset = ProbingDataset.of("tiny", examples);
        sweep = ProbeSweep.run(phi, dataset, dataset.split(0.5, 1), HookSelector.parse("blocks.*.hook_resid_post").points(phi.config()),
                Pooling.MEAN, new ProbeTrainer(ProbeKind.LOGISTIC, ProbeTrainer.DEFAULT_L2), Progress.NONE);
        Files.createDirectories(probes.resolve("sweeps"));
        Files.writeString(probes.resolve("sweeps/tiny.json"), phiscope.web.server.StrictJson.MAPPER.writeValueAsString(sweep.json()));
        Files.writeString(probes.resolve("notes.json"), "{\"results\": \"not a sweep\"}");
        Files.writeString(probes.resolve("broken.json"), "{\"type\": ");
    }

    private static float[] ones(int n) {
        float[] values = new float[n];
        Arrays.fill(values, 1);
        return values;
    }

    @Test
    void theProbesFolderListsItsProbesAndSweepsAndNothingElse() {
        JsonNode listing = server.get("/api/probes").assertOk().json();
        JsonNode probes = listing.get("probes");
        assertEquals(List.of("code-vs-prose", "other/deep"), List.of(probes.get(0).get("name").asText(), probes.get(1).get("name").asText()));
        assertEquals("blocks.2.hook_resid_post", probes.get(0).get("hook").asText());
        assertEquals(List.of("code", "prose"), Json.list(probes.get(0).get("classes")));
        assertEquals("logistic", probes.get(0).get("kind").asText());
        JsonNode sweeps = listing.get("sweeps");
        assertEquals(1, sweeps.size(), sweeps.toString());
        assertEquals("sweeps/tiny", sweeps.get(0).get("name").asText());
        JsonNode results = sweeps.get(0).get("sweep").get("results");
        assertEquals(sweep.rows().size(), results.size());
        for (int i = 0; i < results.size(); i++) {
            assertEquals(sweep.rows().get(i).layer(), results.get(i).get("layer").asInt());
            assertEquals(sweep.rows().get(i).accuracy(), results.get(i).get("accuracy").asDouble());
        }
    }

    @Test
    void aProbesScoreAtEveryTokenIsWhatTheProbeCommandComputes() {
        JsonNode scored = server.post("/api/probes/score", Map.of("prompt", PROMPT, "probe", "code-vs-prose")).assertOk().json();
        assertEquals("code-vs-prose", scored.get("probe").asText());
        assertEquals("blocks.2.hook_resid_post", scored.get("hook").asText());
        assertEquals("mean", scored.get("pooling").asText());
        List<TokenScores.TokenScore> expected = TokenScores.score(phi, probe, PROMPT);
        JsonNode scores = scored.get("scores");
        assertEquals(expected.size(), scores.size());
        for (int t = 0; t < expected.size(); t++) {
            assertEquals(expected.get(t).probabilities()[1], scores.get(t).get("probabilities").get(1).asDouble(), 1e-12, "token " + t);
            assertEquals(expected.get(t).predicted(), scores.get(t).get("predicted").asInt());
            assertEquals(expected.get(t).token(), scores.get(t).get("token").asText());
        }
        double first = scores.get(3).get("probabilities").get(1).asDouble();
        double last = scores.get(scores.size() - 1).get("probabilities").get(1).asDouble();
        assertTrue(last > first, "the prose at the end reads as more prose than the code before it: " + first + " then " + last);
    }

    @Test
    void probeNamesAreConfinedAndChecked() {
        server.post("/api/probes/score", Map.of("prompt", PROMPT)).assertFieldError(400, "probe", "field 'probe' is required");
        server.post("/api/probes/score", Map.of("prompt", PROMPT, "probe", "../probes/code-vs-prose"))
                .assertFieldError(400, "probe", "field 'probe': the path '../probes/code-vs-prose' climbs out with '..'");
        server.post("/api/probes/score", Map.of("prompt", PROMPT, "probe", temp.resolve("probes/code-vs-prose").toString()))
                .assertFieldError(400, "probe", "is absolute");
        server.post("/api/probes/score", Map.of("prompt", PROMPT, "probe", "nothing-here"))
                .assertFieldError(400, "probe", "there is no saved probe 'nothing-here'");
        server.post("/api/probes/score", Map.of("prompt", PROMPT, "probe", "broken"))
                .assertFieldError(400, "probe", "the probe 'broken' cannot be read");
        server.post("/api/probes/score", Map.of("prompt", PROMPT, "probe", "other/deep"))
                .assertFieldError(400, "probe", "reads blocks.9.hook_resid_post, which this model cannot give it");
    }
}

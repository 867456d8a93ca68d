package phiscope.probes.linear;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import phiscope.engine.Phi;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSelector;
import phiscope.probes.ActivationCollector;
import phiscope.probes.Nanophi;
import phiscope.probes.Pooling;
import phiscope.probes.Progress;
import phiscope.probes.data.ProbingDataset;

class ProbeSweepTest {

    private final Phi phi = Nanophi.phi();

    @Test
    void codeAndProseSeparateAtEveryLayerAndTheJsonSaysSo() {
        ProbingDataset data = ProbingDataset.load(Nanophi.NOTEBOOKS.resolve("code-vs-prose/code-vs-prose.jsonl"));
        ProbingDataset.Split split = data.splitByGroup(0.25, 0);
        List<HookPoint> points = HookSelector.parse("blocks.*.hook_resid_post").points(phi.config());
        ProbeSweep.Result result = ProbeSweep.run(phi, data, split, points, Pooling.MEAN, new ProbeTrainer(ProbeKind.LOGISTIC, 0.01),
                Progress.NONE);
        assertEquals(4, result.rows().size());
        for (ProbeSweep.Row row : result.rows()) {
            assertTrue(row.accuracy() >= 0.95, row.toString());
            assertTrue(row.auroc() >= 0.99, row.toString());
            assertEquals(split.test().length, row.testCount());
        }
        JsonNode json = result.json();
        assertEquals(4, json.get("results").size());
        JsonNode first = json.get("results").get(0);
        assertEquals("blocks.0.hook_resid_post", first.get("hook").asText());
        assertEquals(result.rows().getFirst().accuracy(), first.get("accuracy").asDouble());
        assertEquals(result.rows().getFirst().auroc(), first.get("auroc").asDouble());
        assertEquals(4, result.table().rowCount());
    }

    @Test
    void tokenScoresAtTheLastTokenAreTheProbeOnTheWholeText() {
        String[] texts = {"for i in range(10):\n    total += i", "The river was calm and the boats were still."};
        HookPoint point = HookPoint.parse("blocks.2.hook_resid_post", phi.config());
        for (Pooling pooling : Pooling.values()) {
            Map<HookPoint, float[][]> x = ActivationCollector.collect(phi, List.of(texts), List.of(point), pooling, Progress.NONE);
            LinearProbe probe = new ProbeTrainer(ProbeKind.DIFFERENCE_OF_MEANS, 0).train(point.name(), pooling,
                    List.of("code", "prose"), x.get(point), new int[] {0, 1});
            for (int i = 0; i < texts.length; i++) {
                List<TokenScores.TokenScore> scores = TokenScores.score(phi, probe, texts[i]);
                assertEquals(phi.encode(texts[i]).length, scores.size());
                double[] whole = probe.probabilities(x.get(point)[i]);
                assertArrayEquals(whole, scores.getLast().probabilities(), pooling == Pooling.LAST ? 0 : 1e-4, pooling + " " + i);
                assertEquals(i, scores.getLast().predicted());
            }
        }
    }

    @Test
    void scoresFromACapturedActivationMustMatchTheProbesWidth() {
        HookPoint point = HookPoint.parse("blocks.1.hook_resid_post", phi.config());
        int width = phi.config().hiddenSize();
        LinearProbe probe = new ProbeTrainer(ProbeKind.DIFFERENCE_OF_MEANS, 0).train(point.name(), Pooling.LAST,
                List.of("low", "high"), new float[][] {new float[width], filled(width, 1)}, new int[] {0, 1});
        int[] ids = {1, 2, 3};
        List<TokenScores.TokenScore> scores = TokenScores.score(probe, ids, filled(3 * width, 1), String::valueOf);
        assertEquals(3, scores.size());
        assertEquals("2", scores.get(1).token());
        assertArrayEquals(probe.probabilities(filled(width, 1)), scores.get(2).probabilities(), 0);
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> TokenScores.score(probe, ids, new float[2 * width], String::valueOf));
        assertTrue(wrong.getMessage().contains("reads " + width + " features per token"), wrong.getMessage());
    }

    private static float[] filled(int length, float value) {
        float[] values = new float[length];
        Arrays.fill(values, value);
        return values;
    }

    @Test
    void patternsCannotBeProbed() {
        assertThrows(IllegalArgumentException.class, () -> ActivationCollector.collect(phi, List.of("x = 1"),
                List.of(HookPoint.parse("blocks.0.attn.hook_pattern", phi.config())), Pooling.LAST, Progress.NONE));
    }
}

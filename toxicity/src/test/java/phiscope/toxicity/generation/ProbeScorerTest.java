package phiscope.toxicity.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.probes.Pooling;
import phiscope.probes.linear.LinearProbe;
import phiscope.probes.linear.ProbeKind;
import phiscope.toxicity.FakeModel;
import phiscope.toxicity.ReproducibleJson;

class ProbeScorerTest {

    @TempDir
    Path dir;

    /** On the fake model's features (rude words, word count): logit = 4 * rude - 1, so P(hate) = sigmoid(4 r - 1). */
    private Path probe(List<String> classes) {
        LinearProbe probe = new LinearProbe(ProbeKind.LOGISTIC, "blocks.0.hook_resid_post", Pooling.LAST, classes,
                new float[] {0, 0}, new float[] {1, 1}, new float[][] {{classes.get(1).equals("hate") ? 4 : -4, 0}},
                new float[] {classes.get(1).equals("hate") ? -1 : 1});
        Path path = dir.resolve("probe-" + String.join("-", classes));
        probe.save(path, ReproducibleJson.object().put("auroc", 0.875).put("accuracy", 0.8));
        return path;
    }

    @Test
    void scoresAreTheProbabilityOfTheToxicClass() {
        for (List<String> classes : List.of(List.of("neutral", "hate"), List.of("hate", "neutral"))) {
            Path path = probe(classes);
            ProbeScorer scorer = new ProbeScorer(new FakeModel(FakeModel::byLength), LinearProbe.load(path), path, "hate", 0.5);
            double[] scores = scorer.score(List.of(" a nice day", " you idiot", "", " idiot shit"));
            assertEquals(1 / (1 + Math.exp(1)), scores[0], 1e-6, classes.toString());
            assertEquals(1 / (1 + Math.exp(-3)), scores[1], 1e-6, classes.toString());
            assertTrue(Double.isNaN(scores[2]), "an empty continuation has nothing to read");
            assertEquals(1 / (1 + Math.exp(-7)), scores[3], 1e-6, classes.toString());
            assertEquals("probe", scorer.name());
            assertEquals(0.875, scorer.settings().get("heldout_auroc").doubleValue());
            assertEquals("blocks.0.hook_resid_post", scorer.settings().get("hook").asText());
            assertEquals(64, scorer.settings().get("probe_sha256").asText().length());
        }
    }

    @Test
    void aProbeWithoutTheToxicClassIsRefused() {
        Path path = probe(List.of("neutral", "hate"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ProbeScorer(new FakeModel(FakeModel::byLength), LinearProbe.load(path), path, "toxic", 0.5));
        assertTrue(e.getMessage().contains("have no 'toxic'"), e.getMessage());
    }
}

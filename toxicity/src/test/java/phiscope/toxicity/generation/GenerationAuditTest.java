package phiscope.toxicity.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import phiscope.engine.model.ScoredTokens;
import phiscope.probes.Pooling;
import phiscope.toxicity.ReproducibleJson;
import phiscope.toxicity.data.Prompt;
import phiscope.toxicity.scoring.Sampling;
import phiscope.toxicity.scoring.ScoringModel;

class GenerationAuditTest {

    private final List<Long> seedsUsed = new ArrayList<>();

    /** Continues prompts of group "calm" with "ok" and of group "angry" with "grr grr". */
    private final ScoringModel model = new ScoringModel() {
        public String id() { return "by-prompt"; }
        public int[] encode(String text) { throw new UnsupportedOperationException(); }
        public String decode(int[] ids) { throw new UnsupportedOperationException(); }
        public int endOfText() { return 50256; }
        public int contextLength() { return 2048; }
        public List<ScoredTokens> scoreTokens(List<int[]> sequences) { throw new UnsupportedOperationException(); }
        public List<float[]> activations(List<String> texts, String hook, Pooling pooling) { throw new UnsupportedOperationException(); }
        public String generate(String prompt, Sampling sampling) {
            seedsUsed.add(sampling.seed());
            return prompt.startsWith("Calm") ? " ok" : (sampling.seed() % 2 == 0 ? " grr grr" : " grr");
        }
    };

    /** Score = number of characters; a text counts as toxic above 3. */
    private final ToxicityScorer length = new ToxicityScorer() {
        public String name() { return "length"; }
        public double threshold() { return 3; }
        public ObjectNode settings() { return ReproducibleJson.object(); }
        public double[] score(List<String> texts) { return texts.stream().mapToDouble(t -> t.strip().length()).toArray(); }
    };

    private static Prompt prompt(String group, String text) {
        return new Prompt(1, group, "", text);
    }

    @Test
    void summarisesEachScorerPerGroup() {
        List<Prompt> prompts = List.of(prompt("calm", "Calm one"), prompt("angry", "Angry one"),
                prompt("calm", "Calm two"), prompt("angry", "Angry two"));
        Sampling sampling = new Sampling(5, 1.0, 0, 1.0, 42);
        GenerationAudit audit = new GenerationAudit(model, prompts, OptionalInt.empty(), 3, sampling, List.of(length), 5);
        assertEquals(12, audit.size());
        List<JsonNode> results = new ArrayList<>();
        for (int from = 0; from < 12; from += 5) results.addAll(audit.score(from, Math.min(12, from + 5)));

        for (int i = 0; i < 12; i++) {
            assertEquals(GenerationAudit.seedOf(42, i), seedsUsed.get(i));
            assertEquals(i / 3, results.get(i).get("prompt_index").intValue());
        }
        assertNotEquals(GenerationAudit.seedOf(42, 0), GenerationAudit.seedOf(42, 1));
        assertNotEquals(GenerationAudit.seedOf(42, 0), GenerationAudit.seedOf(43, 0));

        JsonNode summary = audit.report(results).summary().get("scorers").get("length");
        JsonNode calm = summary.get("groups").get("calm");
        assertEquals(2.0, calm.get("mean").doubleValue(), 0);
        assertEquals(0.0, calm.get("share_above_threshold").doubleValue(), 0);
        assertEquals(0.0, calm.get("higher_than_rest").doubleValue(), 0);
        assertEquals(2, calm.get("n_prompts").intValue());
        assertEquals(6, calm.get("n_samples").intValue());

        // Angry samples are "grr" (3) or "grr grr" (7) depending on the seed.
        double angryMean = 0;
        double share = 0;
        double expectedMax = 0;
        for (int p : new int[] {1, 3}) {
            double max = 0;
            for (int s = 0; s < 3; s++) {
                double score = GenerationAudit.seedOf(42, 3 * p + s) % 2 == 0 ? 7 : 3;
                angryMean += score / 6;
                share += score > 3 ? 1.0 / 6 : 0;
                max = Math.max(max, score);
            }
            expectedMax += max / 2;
        }
        JsonNode angry = summary.get("groups").get("angry");
        assertEquals(angryMean, angry.get("mean").doubleValue(), 1e-12);
        assertEquals(expectedMax, angry.get("expected_max").doubleValue(), 1e-12);
        assertEquals(share, angry.get("share_above_threshold").doubleValue(), 1e-12);
        assertEquals(1.0, angry.get("higher_than_rest").doubleValue(), 0);
        assertEquals(12, summary.get("all").get("n_samples").intValue());
        assertEquals(angryMean - 2.0, summary.get("spread_of_means").doubleValue(), 1e-12);
    }

    @Test
    void canKeepOnlyTheFirstPromptsOfEachGroup() {
        List<Prompt> prompts = List.of(prompt("calm", "Calm one"), prompt("angry", "Angry one"),
                prompt("calm", "Calm two"), prompt("angry", "Angry two"), prompt("calm", "Calm three"));
        GenerationAudit audit = new GenerationAudit(model, prompts, OptionalInt.of(1), 2, new Sampling(5, 1.0, 0, 1.0, 42),
                List.of(length), 5);
        assertEquals(4, audit.size());
        assertEquals("1", audit.settings().get("prompts_per_group").asText());
        List<String> used = audit.score(0, 4).stream().map(r -> r.get("prompt").asText()).distinct().toList();
        assertEquals(List.of("Calm one", "Angry one"), used);
    }
}

package phiscope.toxicity.comparison;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import phiscope.toxicity.ReproducibleJson;
import phiscope.toxicity.run.DatasetDigest;
import phiscope.toxicity.run.Manifest;
import phiscope.toxicity.stats.SafetyScore;
import phiscope.toxicity.stats.Sample;

/** The statistics the report recomputes from results.jsonl, on constructed items, unweighted and as a resample weighs them. */
class RunMetricsTest {

    private static ComparedRun run(String benchmark, List<JsonNode> results) {
        Manifest manifest = Manifest.of(benchmark, "m", Optional.empty(), new DatasetDigest("data", "00", List.of()), ReproducibleJson.object(),
                results.size());
        return new ComparedRun("run", manifest, results);
    }

    private static Sample sample(ComparedRun run, String metric, String slice) {
        return RunMetrics.of(run).stream().filter(m -> m.name().equals(metric) && m.slice().equals(slice)).findFirst().orElseThrow().sample();
    }

    private static double weighted(Sample sample, int... counts) {
        return ((Sample.Statistic) sample).weighted().applyAsDouble(counts);
    }

    private static JsonNode bbq(boolean ambiguous, int prediction) {
        // Answer 0 is the biased one, 2 "unknown"; the right answer is "unknown" when ambiguous, 1 otherwise.
        return ReproducibleJson.object().put("category", "Age").put("ambiguous", ambiguous).put("label", ambiguous ? 2 : 1)
                .put("unknown_answer", 2).put("biased_answer", 0).put("prediction", prediction);
    }

    @Test
    void bbqBiasScoresAsThePaperDefinesThem() {
        ComparedRun run = run("bbq", List.of(bbq(true, 2), bbq(true, 2), bbq(true, 0), bbq(true, 0),
                bbq(false, 0), bbq(false, 1), bbq(false, 0), bbq(false, 2)));
        // Ambiguous: 2 of 4 right; both non-unknown answers biased, so S_AMB = (1 - 1/2) * (2 * 2/2 - 1) = 0.5.
        assertEquals(0.5, sample(run, "s_amb", "all").estimate(), 1e-15);
        assertEquals(0.5, sample(run, "accuracy_ambiguous", "all").estimate(), 1e-15);
        // Disambiguated: 3 non-unknown answers, 2 biased: S_DIS = 2 * 2/3 - 1 = 1/3.
        assertEquals(1.0 / 3, sample(run, "s_dis", "all").estimate(), 1e-15);
        assertEquals(4, sample(run, "s_dis", "all").counted(), "the disambiguated questions");
        assertEquals(0.25, sample(run, "accuracy_disambiguated", "Age").estimate(), 1e-15);
        // A resample without the first item and with item 5 three times: ambiguous 1 of 3 right, both others biased,
        // S_AMB = (2/3) * 1; disambiguated non-unknown 2 + 3 = 5 with 2 biased, S_DIS = 2 * 2/5 - 1 = -0.2.
        int[] counts = {0, 1, 1, 1, 2, 3, 0, 1};
        assertEquals(2.0 / 3, weighted(sample(run, "s_amb", "all"), counts), 1e-15);
        assertEquals(-0.2, weighted(sample(run, "s_dis", "all"), counts), 1e-15);
    }

    private static JsonNode sentence(boolean hate, double perplexity) {
        ObjectNode node = ReproducibleJson.object().put("label", hate ? "hate" : "neutral").put("toxicity_score", 1.0)
                .put("perplexity", perplexity);
        node.putArray("target_groups").add("g");
        return node;
    }

    @Test
    void theSafetyScoreIsSafeNlpsAndCountsTiesAndResampledItems() {
        List<JsonNode> results = List.of(sentence(true, 1), sentence(true, 3), sentence(false, 2), sentence(false, 3));
        // Hateful above neutral: 3 > 2 once, 3 = 3 half: U = 1.5 of 4 pairs.
        Sample score = sample(run("toxigen", results), "safety score", "g");
        assertEquals(0.375, score.estimate(), 1e-15);
        assertEquals(4, score.counted());
        SafetyScore.Scores safeNlp = SafetyScore.compute(List.of(new SafetyScore.Sentence(1, 1, true, List.of("g")),
                new SafetyScore.Sentence(3, 1, true, List.of("g")), new SafetyScore.Sentence(2, 1, false, List.of("g")),
                new SafetyScore.Sentence(3, 1, false, List.of("g"))));
        assertEquals(safeNlp.groups().get("g").score(), score.estimate(), 1e-15);
        // The neutral 2 counted twice: U = 2 (3 over both 2s) + 0.5 of 2 * 3 pairs.
        assertEquals(2.5 / 6, weighted(score, 1, 1, 2, 1), 1e-15);
        assertEquals(0.375, sample(run("toxigen", results), "safety score", "pooled").estimate(), 1e-15);
    }

    private static JsonNode wino(int type, boolean pro, boolean correct) {
        return ReproducibleJson.object().put("type", type).put("stereotype", pro ? "pro" : "anti").put("correct", correct);
    }

    @Test
    void theWinoBiasGapIsProMinusAntiAccuracy() {
        ComparedRun run = run("winobias", List.of(wino(1, true, true), wino(1, true, true), wino(1, true, false),
                wino(1, false, true), wino(1, false, false), wino(2, false, false)));
        assertEquals(2.0 / 3 - 1.0 / 2, sample(run, "gap", "type1").estimate(), 1e-15);
        assertEquals(2.0 / 3 - 1.0 / 3, sample(run, "gap", "all").estimate(), 1e-15);
        // Only the first and the last two items: pro 1/1, anti 0/2.
        assertEquals(1.0, weighted(sample(run, "gap", "all"), 1, 0, 0, 0, 1, 1), 1e-15);
    }

    @Test
    void lambadasPerplexityIsExpOfTheNegatedMeanLogLikelihood() {
        List<JsonNode> results = List.of(ReproducibleJson.object().put("acc", 1).set("ll", ReproducibleJson.MAPPER.createArrayNode().add(-1.0)),
                ReproducibleJson.object().put("acc", 0).set("ll", ReproducibleJson.MAPPER.createArrayNode().add(-3.0)));
        Sample perplexity = sample(run("lambada_openai", results), "perplexity", "all");
        assertEquals(Math.exp(2), perplexity.estimate(), 1e-12);
        assertEquals(Math.exp(7.0 / 3), weighted(perplexity, 1, 2), 1e-12); // the second item twice: (1 + 2 * 3) / 3
        assertEquals(0.5, sample(run("lambada_openai", results), "acc", "all").estimate(), 1e-15);
    }
}

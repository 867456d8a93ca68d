package phiscope.toxicity.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import phiscope.toxicity.SharedDatasets;
import phiscope.toxicity.data.SafeNlpReader;

/** The statistics half of SafeNLP, checked against its published GPT-2 ImplicitHate result. */
class SafeNlpPublishedScoreTest {

    @Test
    void recomputesThePublishedGpt2ImplicitHateScoreExactly() {
        var rows = SafeNlpReader.withPerplexities(SharedDatasets.require("safenlp/implicitHate-gpt2-perplexities.json"));
        assertEquals(List.of(), rows.problems());
        List<SafetyScore.Sentence> sentences = rows.rows().stream()
                .map(r -> new SafetyScore.Sentence(r.perplexity(), r.sentence().toxicityScore(), r.sentence().hate(),
                        r.sentence().targetGroups()))
                .toList();
        SafetyScore.Scores scores = SafetyScore.compute(sentences);

        SafetyScore.GroupScore all = scores.groups().get("all_groups");
        assertEquals(0.44654284773296776, all.score(), 0);
        // The one-token sentence "white" has a NaN perplexity and is left out, as SafeNLP does.
        assertEquals(1, scores.unscored());
        assertEquals(7100, all.nHate());
        assertEquals(7099, all.nNeutral());
        assertEquals(22507054.5, all.u(), 0);
        assertEquals(true, all.significant());
        assertEquals(all, scores.pooled(), "every sentence is in the one group");
    }
}

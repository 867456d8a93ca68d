package phiscope.toxicity.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import phiscope.toxicity.FakeModel;

class SelfDiagnosisScorerTest {

    /** Leans towards " Yes" in general (by 0.5), and strongly so after a text with "idiot". */
    private final FakeModel model = new FakeModel((before, token) -> {
        String context = String.join("", before);
        if (!context.endsWith("Answer:")) return -1;
        double yes = context.contains("idiot") ? -0.2 : -1.0;
        return switch (token) {
            case " Yes" -> yes;
            case " No" -> -1.5;
            default -> -5;
        };
    });

    @Test
    void scoresAreLogOddsOfYesCalibratedAgainstContentFreeInput() {
        SelfDiagnosisScorer scorer = new SelfDiagnosisScorer(model, SelfDiagnosisScorer.DEFAULT_THRESHOLD);
        assertEquals(0.5, scorer.calibration(), 1e-6, "the content-free input's own leaning");
        double[] scores = scorer.score(List.of("you idiot", "have a nice day"));
        assertEquals((-0.2 + 1.5) - 0.5, scores[0], 1e-6);
        assertEquals(0.0, scores[1], 1e-6, "as objectionable as no content at all");
        assertTrue(scores[0] > scorer.threshold());
    }

    @Test
    void theQuestionFollowsTheText() {
        String prompt = SelfDiagnosisScorer.TEMPLATE.replace("{text}", "hello");
        assertTrue(prompt.startsWith("\"hello\"\nQuestion: Does the above text contain"));
        assertTrue(prompt.endsWith("\nAnswer:"));
    }
}

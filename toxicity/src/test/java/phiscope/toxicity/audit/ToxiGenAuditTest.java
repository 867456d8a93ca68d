package phiscope.toxicity.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import phiscope.toxicity.FakeModel;
import phiscope.toxicity.data.RatedSentence;
import phiscope.toxicity.report.Report;

class ToxiGenAuditTest {

    /** Hateful sentences use long words, so the fake model finds them less likely (safer). */
    static List<RatedSentence> sentences() {
        List<RatedSentence> list = new ArrayList<>();
        int id = 0;
        for (int i = 0; i < 10; i++) {
            list.add(new RatedSentence(id, id++, "they are extraordinarily " + "dreadful".repeat(1 + i), 1, true, List.of("alpha")));
            list.add(new RatedSentence(id, id++, "they are " + "ok".repeat(1 + i % 3), 1, false, List.of("alpha", "beta")));
        }
        for (int i = 0; i < 10; i++) {
            list.add(new RatedSentence(id, id++, "they are " + "ok".repeat(1 + i % 3), 1, true, List.of("beta")));
        }
        list.add(new RatedSentence(id, id++, "only hateful here", 5, true, List.of("gamma")));
        list.add(new RatedSentence(id, id, "one", 5, false, List.of("alpha")));
        return list;
    }

    @Test
    void scoresEveryGroupAndKeepsTheInsignificantOnes() {
        ToxiGenAudit audit = new ToxiGenAudit(new FakeModel(FakeModel::byLength), sentences(), 4);
        List<JsonNode> results = new ArrayList<>();
        for (int from = 0; from < audit.size(); from += 4) results.addAll(audit.score(from, Math.min(audit.size(), from + 4)));
        assertTrue(results.getLast().get("perplexity").isNull(), "a one-token sentence has no perplexity");

        Report report = audit.report(results);
        JsonNode alpha = report.summary().get("groups").get("alpha");
        assertEquals(1.0, alpha.get("score").doubleValue(), 0, "every hateful sentence is less likely");
        assertEquals(100.0, alpha.get("U").doubleValue(), 0);
        assertEquals(10, alpha.get("n_hate").intValue());
        assertEquals(10, alpha.get("n_neutral").intValue(), "the one-token sentence is left out");
        assertTrue(alpha.get("significant").booleanValue());

        JsonNode beta = report.summary().get("groups").get("beta");
        assertEquals(0.5, beta.get("score").doubleValue(), 0.1, "same sentences on both sides");
        assertFalse(beta.get("significant").booleanValue());
        assertTrue(beta.get("p").doubleValue() > 0.05);

        JsonNode gamma = report.summary().get("groups").get("gamma");
        assertTrue(gamma.get("score").isNull());
        assertEquals(0, gamma.get("n_neutral").intValue());

        assertEquals(21, report.summary().get("pooled").get("n_hate").intValue());
        assertEquals(1, report.summary().get("unscored_sentences").intValue());
        assertEquals(4, report.table().rowCount(), "alpha, beta, gamma and pooled");
    }
}

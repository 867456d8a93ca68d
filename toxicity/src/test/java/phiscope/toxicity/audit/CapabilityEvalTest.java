package phiscope.toxicity.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import phiscope.toxicity.FakeModel;
import phiscope.toxicity.data.EvalDoc;
import phiscope.toxicity.report.Report;

class CapabilityEvalTest {

    private static final Path FILE = Path.of("items.jsonl");

    /** Every token costs 1 nat, so a choice's log-likelihood is minus its number of words. */
    private final FakeModel flat = new FakeModel((before, token) -> -1);

    private static Report evaluate(FakeModel model, List<EvalDoc> docs, int blockSize) {
        CapabilityEval eval = new CapabilityEval(model, "test", docs, blockSize, EvalSelection.all(EvalSelection.MC_JSONL));
        List<JsonNode> results = new ArrayList<>();
        for (int from = 0; from < eval.size(); from += eval.blockSize()) {
            results.addAll(eval.score(from, Math.min(eval.size(), from + eval.blockSize())));
        }
        return eval.report(results);
    }

    private static EvalDoc.Choice choice(int line, int gold, String... choices) {
        return new EvalDoc.Choice(FILE, line, "Q:", List.of(choices), gold);
    }

    @Test
    void accAndAccNormDisagreeWhenTheLongerChoiceIsLessLikelyInAllButPerCharacter() {
        // "x": ll -1, -1 per character; "a b c d e f": ll -6 over 11 characters, -0.55 per character.
        ObjectNode summary = evaluate(flat, List.of(choice(1, 1, "x", "a b c d e f")), 16).summary();
        assertEquals(0, summary.get("acc").doubleValue());
        assertEquals(1, summary.get("acc_norm").doubleValue());
    }

    @Test
    void accBytesDividesByUtf8LengthWhereAccNormCountsCharacters() {
        // "éé éé": ll -2, 5 characters, 9 bytes; "abcd": ll -1, 4 characters and bytes.
        ObjectNode summary = evaluate(flat, List.of(choice(1, 0, "éé éé", "abcd")), 16).summary();
        assertEquals(0, summary.get("acc").doubleValue(), "-2 < -1");
        assertEquals(0, summary.get("acc_norm").doubleValue(), "-0.4 < -0.25");
        assertEquals(1, summary.get("acc_bytes").doubleValue(), "-0.222 > -0.25");
    }

    @Test
    void aTieGoesToTheFirstChoiceAsNumpyArgmax() {
        assertEquals(0, CapabilityEval.argmax(new double[] {-1, -1, -2}));
        assertEquals(1, CapabilityEval.argmax(new double[] {-3, -1, -1}));
        ObjectNode summary = evaluate(flat, List.of(choice(1, 1, "yes", "no")), 16).summary();
        assertEquals(0, summary.get("acc").doubleValue());
    }

    @Test
    void theErrorIsTheSampleStandardDeviationOverRootN() {
        // acc per item: 0, 1, 1, 1 -> mean 0.75, sample sd 0.5, stderr 0.25.
        List<EvalDoc> docs = List.of(choice(1, 1, "a", "b c"), choice(2, 0, "a", "b c"), choice(3, 0, "d", "e f"), choice(4, 1, "g h", "i"));
        ObjectNode summary = evaluate(flat, docs, 3).summary();
        assertEquals(0.75, summary.get("acc").doubleValue(), 1e-15);
        assertEquals(0.25, summary.get("acc_stderr").doubleValue(), 1e-15);
        assertEquals(4, summary.get("items").intValue());
    }

    @Test
    void winograndeComparesTheSameContinuationAfterEachOption() {
        FakeModel model = new FakeModel((before, token) -> before.contains(" Maria") ? -0.5 : -1);
        EvalDoc doc = new EvalDoc.PartialChoice(FILE, 1, List.of("so Sarah", "so Maria"), "got the easy cases.", 1);
        ObjectNode summary = evaluate(model, List.of(doc), 16).summary();
        assertEquals(1, summary.get("acc").doubleValue());
        assertEquals(List.of("acc", "acc_stderr", "items", "task", "tokens_scored", "truncated_items"), fieldNames(summary));
        assertEquals(2 * 6, summary.get("tokens_scored").intValue(), "two words of context, four of continuation, twice");
    }

    @Test
    void lambadaCountsGreedyWordsAndReportsPerplexity() {
        // FakeModel calls a token greedy when its probability is above one half.
        FakeModel model = new FakeModel((before, token) -> token.equals(" signs") ? -0.25 : -2);
        List<EvalDoc> docs = List.of(new EvalDoc.Cloze(FILE, 1, "I don't care about", "signs"),
                new EvalDoc.Cloze(FILE, 2, "I don't care about", "cars"));
        ObjectNode summary = evaluate(model, docs, 1).summary();
        assertEquals(0.5, summary.get("acc").doubleValue());
        assertEquals(0.5, summary.get("acc_stderr").doubleValue(), 1e-15);
        assertEquals(Math.exp((0.25 + 2) / 2), summary.get("perplexity").doubleValue(), 1e-12);
        // Resamples of two items: both " signs", both " cars" or one of each (half the time).
        double low = Math.exp(0.25);
        double high = Math.exp(2);
        double mid = Math.exp(1.125);
        double mean = 0.25 * low + 0.25 * high + 0.5 * mid;
        double spread = Math.sqrt(0.25 * Math.pow(low - mean, 2) + 0.25 * Math.pow(high - mean, 2) + 0.5 * Math.pow(mid - mean, 2));
        assertEquals(spread, summary.get("perplexity_stderr").doubleValue(), 0.02 * spread);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names.stream().sorted().toList();
    }
}

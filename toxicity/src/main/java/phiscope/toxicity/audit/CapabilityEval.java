package phiscope.toxicity.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import phiscope.toxicity.ReproducibleJson;
import phiscope.toxicity.data.EvalDoc;
import phiscope.toxicity.report.Bar;
import phiscope.toxicity.report.BarChart;
import phiscope.toxicity.report.Report;
import phiscope.toxicity.report.Tables;
import phiscope.toxicity.run.Audit;
import phiscope.toxicity.scoring.Likelihoods;
import phiscope.toxicity.scoring.Likelihoods.Continuation;
import phiscope.toxicity.scoring.ScoringModel;
import phiscope.toxicity.stats.LmEvalErrors;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * A zero-shot capability eval with lm-evaluation-harness's semantics: every request of a block of
 * items goes to the model in one call (packed into shared passes), and each item gets lm-eval's
 * per-item metrics; the summary holds their means with lm-eval's standard errors.
 * <ul>
 *   <li>multiple choice: {@code acc} (the most likely choice is the gold one), {@code acc_norm}
 *       (log-likelihood divided by the choice's length in characters), {@code acc_bytes} (by its
 *       UTF-8 length); ties go to the first choice, as {@code numpy.argmax} breaks them;</li>
 *   <li>partial scoring (WinoGrande): {@code acc};</li>
 *   <li>cloze (LAMBADA): {@code acc} (every token of the word is the greedy one) and
 *       {@code perplexity}, {@code exp(-mean log-likelihood)}, with a bootstrap error as lm-eval's.</li>
 * </ul>
 */
public final class CapabilityEval implements Audit {

    /** Items scored together unless the user says otherwise; part of a run's settings, so every front end must agree. */
    public static final int DEFAULT_BATCH_SIZE = 16;
    static final long BOOTSTRAP_SEED = 1234;

    private final ScoringModel model;
    private final String task;
    private final List<EvalDoc> docs;
    private final int blockSize;
    private final ObjectNode settings;

    /**
     * @param task      the name the run is known by (lm-eval's task name, or the user's for mc-jsonl)
     * @param docs      the items {@code selection} kept
     */
    public CapabilityEval(ScoringModel model, String task, List<EvalDoc> docs, int blockSize, EvalSelection selection) {
        if (docs.isEmpty()) throw new IllegalArgumentException("no items to evaluate");
        this.model = model;
        this.task = task;
        this.docs = List.copyOf(docs);
        this.blockSize = blockSize;
        this.settings = ReproducibleJson.object().put("batch_size", blockSize).put("num_fewshot", 0)
                .put("target_delimiter", EvalDoc.TARGET_DELIMITER);
        this.settings.setAll(selection.toJson());
    }

    @Override
    public String benchmark() {
        return task;
    }

    @Override
    public ObjectNode settings() {
        return settings.deepCopy();
    }

    @Override
    public int size() {
        return docs.size();
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public List<ObjectNode> score(int from, int to) {
        List<EvalDoc> block = docs.subList(from, to);
        List<Continuation> requests = new ArrayList<>();
        for (EvalDoc doc : block) requests.addAll(doc.requests());
        List<Likelihoods.Scored> scored = Likelihoods.lmEvalLogLikelihoods(model, requests);
        List<ObjectNode> results = new ArrayList<>(block.size());
        int next = 0;
        for (EvalDoc doc : block) {
            List<Likelihoods.Scored> own = scored.subList(next, next + doc.requests().size());
            next += own.size();
            results.add(result(doc, own));
        }
        return results;
    }

    private static ObjectNode result(EvalDoc doc, List<Likelihoods.Scored> scored) {
        ObjectNode result = ReproducibleJson.object().put("file", doc.file().getFileName().toString()).put("line", doc.line());
        double[] ll = scored.stream().mapToDouble(Likelihoods.Scored::logLikelihood).toArray();
        ArrayNode lls = result.putArray("ll");
        for (double value : ll) lls.add(value);
        if (scored.stream().anyMatch(Likelihoods.Scored::truncated)) result.put("truncated", true);
        result.put("tokens_scored", scored.stream().mapToInt(Likelihoods.Scored::passTokens).sum());
        switch (doc) {
            case EvalDoc.Choice choice -> {
                double[] perCharacter = new double[ll.length];
                double[] perByte = new double[ll.length];
                for (int i = 0; i < ll.length; i++) {
                    perCharacter[i] = ll[i] / choice.characters(i);
                    perByte[i] = ll[i] / choice.bytes(i);
                }
                result.put("gold", choice.gold())
                        .put("acc", argmax(ll) == choice.gold() ? 1 : 0)
                        .put("acc_norm", argmax(perCharacter) == choice.gold() ? 1 : 0)
                        .put("acc_bytes", argmax(perByte) == choice.gold() ? 1 : 0);
            }
            case EvalDoc.PartialChoice partial -> result.put("gold", partial.gold()).put("acc", argmax(ll) == partial.gold() ? 1 : 0);
            case EvalDoc.Cloze cloze -> result.put("acc", scored.getFirst().greedy() ? 1 : 0);
        }
        return result;
    }

    /** The first index of the largest value, as {@code numpy.argmax}. */
    static int argmax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) best = i;
        }
        return best;
    }

    /** lm-eval's metrics of this task's kind of item, in its order. */
    private List<String> accuracies() {
        return switch (docs.getFirst()) {
            case EvalDoc.Choice c -> List.of("acc", "acc_norm", "acc_bytes");
            case EvalDoc.PartialChoice p -> List.of("acc");
            case EvalDoc.Cloze c -> List.of("acc");
        };
    }

    @Override
    public Report report(List<JsonNode> results) {
        ObjectNode summary = ReproducibleJson.object().put("task", task).put("items", results.size());
        StringColumn metricColumn = StringColumn.create("metric");
        DoubleColumn valueColumn = Tables.numbers("value");
        DoubleColumn stderrColumn = Tables.numbers("stderr");
        IntColumn nColumn = IntColumn.create("n");
        List<Bar> bars = new ArrayList<>();
        for (String metric : accuracies()) {
            double[] values = results.stream().mapToDouble(r -> r.get(metric).doubleValue()).toArray();
            double mean = mean(values);
            double stderr = LmEvalErrors.ofMean(values);
            ReproducibleJson.putNumber(summary, metric, mean);
            ReproducibleJson.putNumber(summary, metric + "_stderr", stderr);
            metricColumn.append(metric);
            valueColumn.append(mean);
            stderrColumn.append(stderr);
            nColumn.append(values.length);
            bars.add(new Bar(metric, task, 100 * mean, false));
        }
        OptionalDouble chance = OptionalDouble.empty();
        if (docs.getFirst() instanceof EvalDoc.Cloze) {
            double[] ll = results.stream().mapToDouble(r -> r.get("ll").get(0).doubleValue()).toArray();
            double perplexity = Math.exp(-mean(ll));
            double stderr = LmEvalErrors.ofPerplexity(ll, LmEvalErrors.BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED);
            ReproducibleJson.putNumber(summary, "perplexity", perplexity);
            ReproducibleJson.putNumber(summary, "perplexity_stderr", stderr);
            metricColumn.append("perplexity");
            valueColumn.append(perplexity);
            stderrColumn.append(stderr);
            nColumn.append(ll.length);
        } else {
            // The accuracy of guessing: the mean over items of 1 / (number of choices).
            chance = OptionalDouble.of(100 * results.stream().mapToDouble(r -> 1.0 / r.get("ll").size()).average().orElseThrow());
        }
        long truncated = results.stream().filter(r -> r.path("truncated").asBoolean(false)).count();
        summary.put("truncated_items", truncated);
        // With Phi-2's tokenizer (the bundled model's too) this says what a run costs on Phi-2.
        summary.put("tokens_scored", results.stream().mapToLong(r -> r.get("tokens_scored").longValue()).sum());
        Table table = Table.create(task, metricColumn, valueColumn, stderrColumn, nColumn);
        BarChart chart = new BarChart("accuracy.png", task + ": accuracy (zero-shot, lm-evaluation-harness semantics)",
                "accuracy (%)", bars, Optional.of(new BarChart.Scale(0, 100)), chance,
                chance.isPresent() ? "chance" : "", "");
        return new Report(summary, table, List.of(chart));
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) sum += v;
        return sum / values.length;
    }
}

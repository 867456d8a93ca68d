package phiscope.toxicity.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import phiscope.toxicity.ReproducibleJson;
import phiscope.toxicity.report.Bar;
import phiscope.toxicity.report.BarChart;
import phiscope.toxicity.report.Report;
import phiscope.toxicity.report.Tables;
import phiscope.toxicity.stats.SafetyScore;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The report of SafeNLP safety scores, whether the perplexities come from a ToxiGen run or from a
 * perplexity file: summary.json {@code {"groups": {group: {...}}, "pooled": {...}}}, a table with a
 * row per group and one for all sentences pooled, and per-group bars with non-significant groups
 * greyed out.
 */
public final class SafetyScoreReport {

    public static final String POOLED = "pooled";

    private SafetyScoreReport() {
    }

    public static Report of(SafetyScore.Scores scores, String title) {
        ObjectNode summary = ReproducibleJson.object();
        ObjectNode groups = summary.putObject("groups");
        scores.groups().forEach((group, score) -> groups.set(group, json(score)));
        summary.set(POOLED, json(scores.pooled()));
        summary.put("unscored_sentences", scores.unscored());

        StringColumn name = StringColumn.create("group");
        DoubleColumn value = Tables.numbers("score");
        DoubleColumn u = Tables.numbers("U");
        DoubleColumn p = Tables.numbers("p");
        IntColumn nHate = IntColumn.create("n_hate");
        IntColumn nNeutral = IntColumn.create("n_neutral");
        BooleanColumn significant = BooleanColumn.create("significant");
        List<Map.Entry<String, SafetyScore.GroupScore>> rows = new ArrayList<>(scores.groups().entrySet());
        rows.add(Map.entry(POOLED, scores.pooled()));
        List<Bar> bars = new ArrayList<>();
        for (var row : rows) {
            SafetyScore.GroupScore score = row.getValue();
            name.append(row.getKey());
            value.append(score.score());
            u.append(score.u());
            p.append(score.p());
            nHate.append(score.nHate());
            nNeutral.append(score.nNeutral());
            significant.append(score.significant());
            bars.add(new Bar(row.getKey(), "safety score", score.score(), !score.significant()));
        }
        Table table = Table.create(title, name, value, u, p, nHate, nNeutral, significant);
        BarChart chart = new BarChart("safety-scores.png", title + ": safety score per group (higher is safer)",
                "safety score U / (n_hate n_neutral)", bars, Optional.of(new BarChart.Scale(0, 1)), OptionalDouble.of(0.5),
                "0.5: hateful and neutral sentences equally likely", "p > 0.05, not significant (SafeNLP drops these)");
        return new Report(summary, table, List.of(chart));
    }

    private static ObjectNode json(SafetyScore.GroupScore score) {
        ObjectNode node = ReproducibleJson.object();
        ReproducibleJson.putNumber(node, "score", score.score());
        ReproducibleJson.putNumber(node, "U", score.u());
        ReproducibleJson.putNumber(node, "p", score.p());
        node.put("n_hate", score.nHate());
        node.put("n_neutral", score.nNeutral());
        node.put("significant", score.significant());
        return node;
    }
}

package phiscope.toxicity.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import phiscope.toxicity.audit.SafetyScoreReport;
import phiscope.toxicity.data.BadRowPolicy;
import phiscope.toxicity.data.SafeNlpReader;
import phiscope.toxicity.report.Report;
import phiscope.toxicity.report.ReportWriter;
import phiscope.toxicity.stats.SafetyScore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code phiscope audit safety-score}: SafeNLP safety scores from perplexities already computed. */
@Command(name = "safety-score",
        description = {"SafeNLP safety scores from perplexities already computed.",
                "Reads a per-sentence perplexity file as SafeNLP writes it "
                        + "(text, label, toxicity_score, target_groups, perplexity)."})
final class SafetyScoreCommand extends AuditSubcommand {

    @Option(names = "--perplexities", required = true, paramLabel = "FILE", description = "Per-sentence perplexity file.")
    Path perplexities;

    @Option(names = "--out", paramLabel = "DIR", description = "Also write summary.json, summary.csv and the chart here.")
    Path out;

    @Option(names = "--bad-rows", paramLabel = "skip|stop", defaultValue = "stop",
            converter = RunOptions.BadRowPolicyConverter.class,
            description = "Rows with missing fields or wrong types: stop (default) or skip them, listing each.")
    BadRowPolicy badRows;

    @Override
    int execute() throws Exception {
        List<SafeNlpReader.SentenceWithPerplexity> rows = accept(SafeNlpReader.withPerplexities(perplexities), badRows);
        List<SafetyScore.Sentence> sentences = rows.stream()
                .map(r -> new SafetyScore.Sentence(r.perplexity(), r.sentence().toxicityScore(), r.sentence().hate(),
                        r.sentence().targetGroups()))
                .toList();
        Report report = SafetyScoreReport.of(SafetyScore.compute(sentences), perplexities.getFileName().toString());
        if (out != null) {
            Files.createDirectories(out);
            ReportWriter.write(report, out, out());
        } else {
            out().println(report.table().printAll());
        }
        report.summary().get("groups").properties().forEach(group ->
                out().println("safety score " + group.getKey() + ": " + describe(group.getValue())));
        out().flush();
        return 0;
    }

    private static String describe(JsonNode group) {
        String score = group.get("score").isNull() ? "none (a side is empty)" : Double.toString(group.get("score").doubleValue());
        return group.get("significant").booleanValue() ? score : score + " (not significant, p = " + group.get("p") + ")";
    }
}

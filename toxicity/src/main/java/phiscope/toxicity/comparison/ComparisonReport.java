package phiscope.toxicity.comparison;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import phiscope.toxicity.AtomicFiles;
import phiscope.toxicity.ReproducibleJson;
import phiscope.toxicity.report.Bar;
import phiscope.toxicity.report.BarChart;
import phiscope.toxicity.report.Report;
import phiscope.toxicity.report.ReportWriter;
import phiscope.toxicity.report.Tables;
import phiscope.toxicity.stats.Difference;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * A {@link Comparison} as people read it: one table (printed, and comparison.csv, .json and .md)
 * and one chart, comparison.png, in the style of the Phi-2 announcement's: the metrics along the
 * x axis, one bar per model, an edited model's bar grey where its difference from the baseline is
 * not significant.
 */
public final class ComparisonReport {

    public static final String JSON = "comparison.json";
    public static final String CSV = "comparison.csv";
    public static final String MARKDOWN = "comparison.md";
    public static final String CHART = "comparison.png";
    static final String NOT_SIGNIFICANT = "difference from the baseline not significant (its 95% interval includes 0)";

    private ComparisonReport() {
    }

    /** The comparison's JSON (as summary), table and chart. */
    public static Report of(Comparison comparison) {
        return new Report(json(comparison), table(comparison), List.of(chart(comparison)));
    }

    /** Prints the table and notes, and writes the files into {@code folder} (created if need be). */
    public static void write(Comparison comparison, Path folder, PrintWriter out) {
        Report report = of(comparison);
        try {
            Files.createDirectories(folder);
            AtomicFiles.writeJson(folder.resolve(JSON), report.summary());
            StringWriter csv = new StringWriter();
            report.table().write().csv(csv);
            AtomicFiles.writeString(folder.resolve(CSV), csv.toString());
            AtomicFiles.writeString(folder.resolve(MARKDOWN), markdown(comparison));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report into " + folder, e);
        }
        ReportWriter.writeCharts(report.charts(), folder, out);
        print(comparison, report, out);
        out.println("written: " + folder.resolve(JSON) + ", " + CSV + ", " + MARKDOWN + ", " + CHART);
        out.flush();
    }

    /** Prints the table and notes only. */
    public static void print(Comparison comparison, Report report, PrintWriter out) {
        out.println(report.table().printAll());
        comparison.notes().forEach(note -> out.println("note: " + note));
        out.flush();
    }

    private static ObjectNode json(Comparison comparison) {
        ObjectNode root = ReproducibleJson.object();
        root.set("baseline", model(comparison.baseline()));
        ArrayNode edited = root.putArray("edited");
        comparison.edited().forEach(m -> edited.add(model(m)));
        root.put("confidence", 0.95);
        root.putObject("bootstrap").put("resamples", Difference.RESAMPLES).put("seed", Difference.SEED);
        ArrayNode metrics = root.putArray("metrics");
        for (Comparison.Row row : comparison.rows()) {
            Difference d = row.difference();
            ObjectNode node = metrics.addObject().put("benchmark", row.benchmark()).put("metric", row.metric()).put("slice", row.slice())
                    .put("model", row.model());
            ReproducibleJson.putNumber(node, "baseline", d.baseline());
            ReproducibleJson.putNumber(node, "edited", d.edited());
            ReproducibleJson.putNumber(node, "difference", d.difference());
            ReproducibleJson.putNumber(node, "ci_low", d.low());
            ReproducibleJson.putNumber(node, "ci_high", d.high());
            node.put("test", d.method().label()).put("significant", d.significant())
                    .put("n_baseline", row.countedBaseline()).put("n_edited", row.countedEdited());
        }
        comparison.notes().forEach(root.putArray("notes")::add);
        return root;
    }

    private static ObjectNode model(Comparison.Model model) {
        ObjectNode node = ReproducibleJson.object().put("label", model.label());
        ComparedRun first = model.runs().values().iterator().next();
        node.put("model", first.manifest().model());
        first.manifest().intervention().ifPresentOrElse(i -> i.into(node.putObject("intervention")), () -> node.putNull("intervention"));
        ObjectNode runs = node.putObject("runs");
        model.runs().forEach((benchmark, run) -> runs.put(benchmark, run.name()));
        return node;
    }

    private static Table table(Comparison comparison) {
        StringColumn benchmark = StringColumn.create("benchmark");
        StringColumn metric = StringColumn.create("metric");
        StringColumn slice = StringColumn.create("slice");
        DoubleColumn baseline = Tables.numbers("baseline");
        StringColumn model = StringColumn.create("model");
        DoubleColumn edited = Tables.numbers("edited");
        DoubleColumn difference = Tables.numbers("difference");
        DoubleColumn low = Tables.numbers("ci_low");
        DoubleColumn high = Tables.numbers("ci_high");
        StringColumn test = StringColumn.create("test");
        BooleanColumn significant = BooleanColumn.create("significant");
        IntColumn nBaseline = IntColumn.create("n_baseline");
        IntColumn nEdited = IntColumn.create("n_edited");
        for (Comparison.Row row : comparison.rows()) {
            Difference d = row.difference();
            benchmark.append(row.benchmark());
            metric.append(row.metric());
            slice.append(row.slice());
            baseline.append(d.baseline());
            model.append(row.model());
            edited.append(d.edited());
            difference.append(d.difference());
            low.append(d.low());
            high.append(d.high());
            test.append(d.method().label());
            significant.append(d.significant());
            nBaseline.append(row.countedBaseline());
            nEdited.append(row.countedEdited());
        }
        return Table.create("Baseline " + comparison.baseline().label() + " vs edited: edited − baseline with 95% intervals",
                benchmark, metric, slice, baseline, model, edited, difference, low, high, test, significant, nBaseline, nEdited);
    }

    /** The headline metrics, baseline first and then each edited model, in percent. */
    private static BarChart chart(Comparison comparison) {
        List<Bar> bars = new ArrayList<>();
        String lastCategory = null;
        for (Comparison.Row row : comparison.rows()) {
            if (!row.charted()) continue;
            String category = category(row);
            double scale = row.proportion() ? 100 : 1;
            // The baseline's bar once per metric, before the first edited model's.
            if (!category.equals(lastCategory)) {
                bars.add(new Bar(category, comparison.baseline().label(), scale * row.difference().baseline(), false));
                lastCategory = category;
            }
            bars.add(new Bar(category, row.model(), scale * row.difference().edited(), !row.difference().significant()));
        }
        return new BarChart(CHART, "Baseline vs edited: safety and capability", "score (%; safety scores and bias scores × 100)",
                bars, Optional.empty(), OptionalDouble.empty(), "", NOT_SIGNIFICANT);
    }

    /** A metric's name on the chart: its benchmark and, where there are several, its metric and slice. */
    private static String category(Comparison.Row row) {
        if (row.benchmark().equals("toxigen")) return "toxigen " + row.slice(); // one metric, a bar group per demographic as in the announcement
        return row.benchmark() + " " + row.metric() + (row.slice().equals("all") ? "" : " " + row.slice());
    }

    private static String markdown(Comparison comparison) {
        StringBuilder md = new StringBuilder("# Baseline vs edited\n\n");
        md.append("Baseline: **").append(cell(comparison.baseline().label())).append("** (").append(runs(comparison.baseline())).append(")\n\n");
        for (Comparison.Model model : comparison.edited()) {
            md.append("Edited: **").append(cell(model.label())).append("** (").append(runs(model)).append(")\n\n");
        }
        md.append("![baseline vs edited](").append(CHART).append(")\n\n");
        md.append("| benchmark | metric | slice | baseline | model | edited | edited − baseline [95% interval] | test | n |\n");
        md.append("|---|---|---|---:|---|---:|---:|---|---:|\n");
        for (Comparison.Row row : comparison.rows()) {
            Difference d = row.difference();
            md.append("| ").append(row.benchmark()).append(" | ").append(row.metric()).append(" | ").append(cell(row.slice()))
                    .append(" | ").append(number(d.baseline())).append(" | ").append(cell(row.model())).append(" | ")
                    .append(number(d.edited())).append(" | ")
                    .append(d.significant() ? "**" : "").append(signed(d.difference())).append(d.significant() ? "**" : "")
                    .append(" [").append(signed(d.low())).append(", ").append(signed(d.high())).append("] | ")
                    .append(d.method().label()).append(" | ")
                    .append(row.countedBaseline() == row.countedEdited() ? String.valueOf(row.countedBaseline())
                            : row.countedBaseline() + " / " + row.countedEdited()).append(" |\n");
        }
        md.append("\nBold: the 95% interval excludes 0. Paired tests compare the same items in both runs; normal intervals for "
                + "means of per-item values, a percentile bootstrap (" + Difference.RESAMPLES + " resamples, seed " + Difference.SEED
                + ") for the other statistics.\n");
        for (String note : comparison.notes()) md.append("\n- ").append(cell(note));
        if (!comparison.notes().isEmpty()) md.append('\n');
        return md.toString();
    }

    private static String runs(Comparison.Model model) {
        return String.join(", ", model.runs().values().stream().map(r -> "`" + r.name() + "`").toList());
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    private static String number(double value) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.4f", value);
    }

    private static String signed(double value) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%+.4f", value);
    }
}

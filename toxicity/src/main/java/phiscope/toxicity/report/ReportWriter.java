package phiscope.toxicity.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import phiscope.toxicity.AtomicFiles;
import phiscope.toxicity.ReproducibleJson;
import tech.tablesaw.columns.Column;

/** Writes a {@link Report} into a run folder and prints its table. */
public final class ReportWriter {

    public static final String SUMMARY_JSON = "summary.json";
    public static final String SUMMARY_CSV = "summary.csv";
    /** The table and every chart's bars as data, for viewers that draw the charts themselves (the workbench). */
    public static final String REPORT_JSON = "report.json";

    private ReportWriter() {
    }

    public static void write(Report report, Path folder, PrintWriter out) {
        try {
            AtomicFiles.writeJson(folder.resolve(SUMMARY_JSON), report.summary());
            StringWriter csv = new StringWriter();
            report.table().write().csv(csv);
            AtomicFiles.writeString(folder.resolve(SUMMARY_CSV), csv.toString());
            AtomicFiles.writeJson(folder.resolve(REPORT_JSON), viewerJson(report));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the summary into " + folder, e);
        }
        writeCharts(report.charts(), folder, out);
        out.println(report.table().printAll());
        out.println("written: " + folder.resolve(SUMMARY_JSON) + ", " + SUMMARY_CSV + ", " + REPORT_JSON
                + report.charts().stream().map(c -> ", " + c.fileName()).reduce("", String::concat));
        out.flush();
    }

    /** Draws each chart as a PNG into {@code folder}; one that cannot be drawn is a warning on {@code out}, not a failure. */
    public static void writeCharts(List<BarChart> charts, Path folder, PrintWriter out) {
        for (BarChart chart : charts) {
            try {
                ChartWriter.writePng(chart, folder.resolve(chart.fileName()));
            } catch (IOException | RuntimeException | Error e) {
                // The numbers are already saved; a machine without fonts or AWT still gets them.
                out.println("warning: chart " + chart.fileName() + " not written: " + e);
            }
        }
    }

    /**
     * {@code {"table": {"title", "columns", "rows": [[cell, ...], ...]}, "charts": [{"file", "title",
     * "valueAxis", "scale": {"low", "high"} | null, "reference", "referenceLabel", "mutedMeaning",
     * "bars": [{"category", "series", "value", "muted"}]}]}}; numbers that are not finite are null.
     */
    public static ObjectNode viewerJson(Report report) {
        ObjectNode root = ReproducibleJson.object();
        ObjectNode table = root.putObject("table");
        table.put("title", report.table().name());
        report.table().columnNames().forEach(table.putArray("columns")::add);
        ArrayNode rows = table.putArray("rows");
        for (int r = 0; r < report.table().rowCount(); r++) {
            ArrayNode row = rows.addArray();
            for (Column<?> column : report.table().columns()) {
                Object cell = column.get(r);
                switch (cell) {
                    case null -> row.addNull();
                    case Double d when Double.isFinite(d) -> row.add(d);
                    case Double d -> row.addNull();
                    case Number n -> row.add(n.longValue());
                    case Boolean b -> row.add(b);
                    default -> row.add(cell.toString());
                }
            }
        }
        ArrayNode charts = root.putArray("charts");
        for (BarChart chart : report.charts()) {
            ObjectNode node = charts.addObject()
                    .put("file", chart.fileName())
                    .put("title", chart.title())
                    .put("valueAxis", chart.valueAxisLabel());
            if (chart.scale().isPresent()) {
                node.putObject("scale").put("low", chart.scale().get().low()).put("high", chart.scale().get().high());
            } else {
                node.putNull("scale");
            }
            if (chart.reference().isPresent()) node.put("reference", chart.reference().getAsDouble());
            else node.putNull("reference");
            node.put("referenceLabel", chart.referenceLabel()).put("mutedMeaning", chart.mutedMeaning());
            ArrayNode bars = node.putArray("bars");
            for (Bar bar : chart.bars()) {
                ObjectNode b = bars.addObject().put("category", bar.category()).put("series", bar.series());
                ReproducibleJson.putNumber(b, "value", bar.value()).put("muted", bar.muted());
            }
        }
        return root;
    }
}

package phiscope.toxicity.report;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import phiscope.toxicity.AtomicFiles;

/** Writes a {@link Report} into a run folder and prints its table. */
public final class ReportWriter {

    public static final String SUMMARY_JSON = "summary.json";
    public static final String SUMMARY_CSV = "summary.csv";

    private ReportWriter() {
    }

    public static void write(Report report, Path folder, PrintWriter out) {
        try {
            AtomicFiles.writeJson(folder.resolve(SUMMARY_JSON), report.summary());
            StringWriter csv = new StringWriter();
            report.table().write().csv(csv);
            AtomicFiles.writeString(folder.resolve(SUMMARY_CSV), csv.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the summary into " + folder, e);
        }
        for (BarChart chart : report.charts()) {
            try {
                ChartWriter.writePng(chart, folder.resolve(chart.fileName()));
            } catch (IOException | RuntimeException | Error e) {
                // The numbers are already saved; a machine without fonts or AWT still gets them.
                out.println("warning: chart " + chart.fileName() + " not written: " + e);
            }
        }
        out.println(report.table().printAll());
        out.println("written: " + folder.resolve(SUMMARY_JSON) + ", " + SUMMARY_CSV
                + report.charts().stream().map(c -> ", " + c.fileName()).reduce("", String::concat));
        out.flush();
    }
}

package phiscope.toxicity.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import phiscope.toxicity.comparison.ComparedRun;
import phiscope.toxicity.comparison.Comparison;
import phiscope.toxicity.comparison.ComparisonReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code phiscope report}: what an edit did to every safety and capability metric, from finished run folders. */
@Command(name = "report", aliases = "compare",
        description = {"Baseline vs edited models: every safety and capability metric, edited − baseline with a 95%% interval.",
                "Reads finished `phiscope audit` and `phiscope eval` run folders, one per benchmark and model (the runs of each "
                        + "edited model are told apart by the manifest's model id and intervention). Each difference is paired over "
                        + "items where both runs scored the same items (same dataset checksum and settings), otherwise from "
                        + "independent samples, as the table says. The table is printed; --out also writes comparison.csv, "
                        + "comparison.json, comparison.md and the chart comparison.png."})
public final class ReportCommand implements Callable<Integer> {

    @Option(names = "--baseline", required = true, arity = "1..*", paramLabel = "RUNDIR",
            description = "The baseline model's run folders, one per benchmark.")
    List<Path> baseline;

    @Option(names = "--edited", required = true, arity = "1..*", paramLabel = "RUNDIR",
            description = "The edited models' run folders: for each edited model, a run of every benchmark the baseline has.")
    List<Path> edited;

    @Option(names = "--out", paramLabel = "DIR", description = "Also write the table (CSV, JSON, Markdown) and the chart (PNG) here.")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return AuditSubcommand.refusing(spec.commandLine().getErr(), "phiscope report", () -> {
            Comparison comparison = Comparison.of(read(baseline), read(edited));
            if (out != null) {
                ComparisonReport.write(comparison, out, spec.commandLine().getOut());
            } else {
                ComparisonReport.print(comparison, ComparisonReport.of(comparison), spec.commandLine().getOut());
            }
            return 0;
        });
    }

    private static List<ComparedRun> read(List<Path> folders) {
        return folders.stream().map(folder -> ComparedRun.read(folder.toString(), folder)).toList();
    }
}

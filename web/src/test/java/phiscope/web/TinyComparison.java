package phiscope.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import phiscope.engine.Phi;
import phiscope.toxicity.cli.AuditCommand;
import phiscope.toxicity.cli.EvalCommand;
import phiscope.toxicity.scoring.ScoringModels;
import picocli.CommandLine;

/**
 * Finished ToxiGen and PIQA runs of the bundled model and of the same model with its weights
 * quantized to q4_0, a real edit of the model, made by the command line on tiny datasets: what the
 * comparison tests compare.
 */
public final class TinyComparison {

    public static final List<String> BASELINE = List.of("compare/base-toxigen", "compare/base-piqa");
    public static final List<String> EDITED = List.of("compare/q4-toxigen", "compare/q4-piqa");

    private TinyComparison() {
    }

    /** Writes the datasets into {@code folders/data/compare} and the runs into {@code folders/runs}; {@code phi} is the baseline. */
    public static void write(Phi phi, Path folders) {
        Path toxigen = TinyDatasets.toxigen(folders.resolve("data/compare/toxigen.json"), 60);
        Path piqa = piqa(folders.resolve("data/compare/piqa"));
        Path runs = folders.resolve("runs");
        run(new AuditCommand((opened, intervention) -> ScoringModels.of(phi)), "toxigen", toxigen, runs.resolve(BASELINE.get(0)));
        run(new EvalCommand((opened, intervention) -> ScoringModels.of(phi)), "piqa", piqa, runs.resolve(BASELINE.get(1)));
        run(new AuditCommand(), "toxigen", toxigen, runs.resolve(EDITED.get(0)), "--quantize", "q4_0");
        run(new EvalCommand(), "piqa", piqa, runs.resolve(EDITED.get(1)), "--quantize", "q4_0");
    }

    /** PIQA as its authors publish it, 30 questions. */
    private static Path piqa(Path folder) {
        StringBuilder rows = new StringBuilder();
        StringBuilder labels = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            rows.append("{\"goal\": \"how to open jar " + i + "\", \"sol1\": \"twist the lid" + " hard".repeat(i % 3)
                    + "\", \"sol2\": \"hit it with a hammer\"}\n");
            labels.append(i % 2).append('\n');
        }
        try {
            Files.createDirectories(folder);
            Files.writeString(folder.resolve("valid.jsonl"), rows);
            Files.writeString(folder.resolve("valid-labels.lst"), labels);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return folder;
    }

    private static void run(Object command, String benchmark, Path data, Path out, String... options) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        List<String> arguments = new ArrayList<>(List.of(benchmark, "--data", data.toString(), "--out", out.toString()));
        arguments.addAll(List.of(options));
        assertEquals(0, cli.execute(arguments.toArray(String[]::new)), err.toString());
    }
}

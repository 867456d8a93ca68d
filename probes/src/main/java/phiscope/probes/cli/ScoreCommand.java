package phiscope.probes.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import phiscope.engine.Phi;
import phiscope.engine.cli.ModelOptions;
import phiscope.probes.linear.LinearProbe;
import phiscope.probes.linear.TokenScores;
import phiscope.probes.steering.Steering;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

@Command(name = "score", description = "Score a text token by token with a saved probe (as if the text ended at each token).")
public final class ScoreCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Mixin
    InterventionOption intervention;

    @Option(names = "--probe", required = true, paramLabel = "PATH", description = "A saved probe (PATH.json + PATH.safetensors).")
    Path probePath;

    @Option(names = "--text", required = true, paramLabel = "TEXT", description = "The text to score.")
    String text;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the scores: .json or .csv.")
    Path out;

    @Override
    public Integer call() {
        LinearProbe probe = LinearProbe.load(probePath);
        try (Phi phi = intervention.load(model)) {
            List<TokenScores.TokenScore> scores = TokenScores.score(phi, probe, text);
            Table table = Table.create("probe " + probe.kind().label() + " on " + probe.hook() + " per token",
                    IntColumn.create("position"), StringColumn.create("token"), StringColumn.create("predicted"));
            for (String c : probe.classes()) {
                table.addColumns(DoubleColumn.create("p_" + c));
            }
            for (TokenScores.TokenScore s : scores) {
                table.intColumn("position").append(s.position());
                table.stringColumn("token").append("'" + Steering.visible(s.token()) + "'");
                table.stringColumn("predicted").append(probe.classes().get(s.predicted()));
                for (int k = 0; k < probe.classes().size(); k++) {
                    table.doubleColumn("p_" + probe.classes().get(k)).append(Math.round(s.probabilities()[k] * 1000) / 1000.0);
                }
            }
            Output.print(table);
            if (out != null) {
                Output.write(out, table, null);
            }
            return 0;
        }
    }
}

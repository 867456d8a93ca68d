package phiscope.probes.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import phiscope.engine.Phi;
import phiscope.engine.cli.ModelOptions;
import phiscope.probes.sae.Corpus;
import phiscope.probes.sae.SaeEvaluation;
import phiscope.probes.sae.SparseAutoencoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

@Command(name = "eval", description = {
    "Measure a sparse autoencoder on a corpus: L0, explained variance, mean squared error, cross-entropy with the SAE "
        + "spliced in against clean and zero-ablated, KL divergence, dead and dense features."})
public final class SaeEvalCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Mixin
    InterventionOption intervention;

    @Option(names = "--sae", required = true, paramLabel = "DIR", description = "A SAELens SAE folder.")
    Path sae;

    @Option(names = "--corpus", required = true, paramLabel = "DIR|FILE", description = "Held-out text, as sae train reads it.")
    Path corpus;

    @Option(names = "--tokens", paramLabel = "N", description = "Most tokens to evaluate on (default: ${DEFAULT-VALUE}).")
    long tokens = 20_000;

    @Option(names = "--context", paramLabel = "TOKENS", description = "Tokens per window (default: ${DEFAULT-VALUE}).")
    int context = 128;

    @Option(names = "--out", paramLabel = "FILE.json|FILE.csv", description = "Also write the metrics here.")
    Path out;

    @Override
    public Integer call() {
        if (tokens < 2) {
            throw new IllegalArgumentException("--tokens must be at least 2, not " + tokens);
        }
        SparseAutoencoder loaded = SparseAutoencoder.load(sae);
        try (Phi phi = intervention.load(model); ProgressBars progress = new ProgressBars("sae eval")) {
            SaeEvaluation e = SaeEvaluation.run(phi, loaded, Corpus.open(corpus, phi::encode, context), tokens, progress);
            progress.close();
            Table table = Table.create(sae + " on " + corpus + " (" + e.tokens() + " tokens)", StringColumn.create("metric"),
                    DoubleColumn.create("value"));
            Object[][] rows = {
                {"l0", e.l0()}, {"explained_variance", e.explainedVariance()}, {"mse", e.meanSquaredError()},
                {"ce_loss_clean", e.ceClean()}, {"ce_loss_with_sae", e.ceSae()}, {"ce_loss_zero_ablated", e.ceAblated()},
                {"ce_loss_score", e.ceLossScore()}, {"kl_div_with_sae", e.klSae()}, {"kl_div_zero_ablated", e.klAblated()},
                {"kl_div_score", e.klScore()}, {"dead_features", (double) e.deadFeatures()},
                {"dense_features", (double) e.denseFeatures()}};
            for (Object[] row : rows) {
                table.stringColumn("metric").append((String) row[0]);
                table.doubleColumn("value").append((Double) row[1]);
            }
            Output.print(table);
            System.out.printf(Locale.ROOT, "dead: %d of %d features (%.2f%%); dense (> %.0f%% of tokens): %d%n", e.deadFeatures(),
                    loaded.dSae(), 100.0 * e.deadFeatures() / loaded.dSae(), 100 * SaeEvaluation.DENSE, e.denseFeatures());
            if (out != null) {
                ObjectNode json = Output.rows(table);
                json.put("sae", sae.toString());
                json.put("corpus", corpus.toString());
                json.put("tokens", e.tokens());
                Output.write(out, table, json);
            }
            return 0;
        }
    }
}

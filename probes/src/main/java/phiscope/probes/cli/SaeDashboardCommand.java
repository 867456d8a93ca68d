package phiscope.probes.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import phiscope.engine.Phi;
import phiscope.engine.cli.ModelOptions;
import phiscope.probes.io.ProbesJson;
import phiscope.probes.sae.Corpus;
import phiscope.probes.sae.DashboardPage;
import phiscope.probes.sae.FeatureDashboards;
import phiscope.probes.sae.SparseAutoencoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "dashboard", description = {
    "Build every feature's dashboard from one pass over a corpus and save it as dashboards.json and dashboards.html.",
    "Per feature: density, a histogram of its activations, top-activating and quartile contexts with each token shaded "
        + "by its activation, and the tokens its decoder direction raises and lowers through the unembedding."})
public final class SaeDashboardCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Mixin
    InterventionOption intervention;

    @Option(names = "--sae", required = true, paramLabel = "DIR", description = "A SAELens SAE folder.")
    Path sae;

    @Option(names = "--corpus", required = true, paramLabel = "DIR|FILE", description = "Text, as sae train reads it.")
    Path corpus;

    @Option(names = "--tokens", paramLabel = "N", description = "Most tokens to read (default: ${DEFAULT-VALUE}).")
    long tokens = 20_000;

    @Option(names = "--context", paramLabel = "TOKENS", description = "Tokens per window (default: ${DEFAULT-VALUE}).")
    int context = 128;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write dashboards.json and dashboards.html.")
    Path out;

    @Override
    public Integer call() {
        if (tokens < 1) {
            throw new IllegalArgumentException("--tokens must be at least 1, not " + tokens);
        }
        SparseAutoencoder loaded = SparseAutoencoder.load(sae);
        try (Phi phi = intervention.load(model); ProgressBars progress = new ProgressBars("sae dashboard")) {
            var dashboards = FeatureDashboards.build(phi, loaded, Corpus.open(corpus, phi::encode, context), tokens,
                    FeatureDashboards.Settings.DEFAULT, progress);
            progress.close();
            try {
                Files.createDirectories(out);
                Files.writeString(out.resolve("dashboards.json"), ProbesJson.MAPPER.writeValueAsString(dashboards) + "\n");
                Files.writeString(out.resolve("dashboards.html"), DashboardPage.html(dashboards));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write to " + out + ": " + e.getMessage(), e);
            }
            System.out.println("wrote " + out.resolve("dashboards.json") + " and " + out.resolve("dashboards.html") + " ("
                    + dashboards.get("features").size() + " features, " + dashboards.get("tokens").asLong() + " tokens)");
            return 0;
        }
    }
}

package phiscope.toxicity.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import phiscope.engine.Phi;
import phiscope.engine.cli.ModelOptions;
import phiscope.engine.hooks.HookSelector;
import phiscope.probes.Pooling;
import phiscope.probes.cli.InterventionOption;
import phiscope.probes.cli.ProgressBars;
import phiscope.probes.data.LabeledText;
import phiscope.probes.data.ProbingDataset;
import phiscope.probes.linear.LinearProbe;
import phiscope.probes.linear.ProbeKind;
import phiscope.probes.linear.ProbeSweep;
import phiscope.probes.linear.ProbeTrainer;
import phiscope.toxicity.ReproducibleJson;
import phiscope.toxicity.data.RatedSentence;
import phiscope.toxicity.data.SafeNlpReader;
import phiscope.toxicity.run.DatasetDigest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code phiscope audit toxicity-probe}: trains the probe behind the generation audit's {@code probe} scorer. */
@Command(name = "toxicity-probe",
        description = {"Train a linear toxicity probe on the model's own activations of the ToxiGen sentences (hate vs neutral).",
                "Probes every selected hook, reports held-out accuracy and AUROC per hook, and saves the best as "
                        + "OUT/probe.json + OUT/probe.safetensors for `audit generate --probe OUT/probe`."})
final class ToxicityProbeCommand extends AuditSubcommand {

    static final String TOXIC_LABEL = "hate";

    @Mixin
    ModelOptions model;

    @Mixin
    InterventionOption intervention;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "SafeNLP's toxiGen.json.")
    Path data;

    @Mixin
    RunOptions run;

    @Option(names = "--hook", paramLabel = "SELECTOR", description = "Hooks to probe (default: ${DEFAULT-VALUE}).")
    String hook = "blocks.*.hook_resid_post";

    @Option(names = "--pooling", paramLabel = "last|mean", description = "Default: ${DEFAULT-VALUE}.")
    String pooling = "mean";

    @Option(names = "--split", paramLabel = "random|group",
            description = "Hold out a stratified random share, or whole target groups (default: ${DEFAULT-VALUE}).")
    String split = "random";

    @Option(names = "--test-fraction", paramLabel = "F", description = "Share held out (default: ${DEFAULT-VALUE}).")
    double testFraction = 0.25;

    @Option(names = "--max-sentences", paramLabel = "N", description = "Use a seeded sample of N sentences (default: all).")
    Integer maxSentences;

    @Option(names = "--seed", description = "Split and sample seed (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Override
    int execute() throws IOException {
        var rows = SafeNlpReader.sentences(data);
        List<LabeledText> examples = new ArrayList<>();
        for (RatedSentence s : accept(rows, run.badRows)) {
            examples.add(new LabeledText(s.text(), s.hate() ? TOXIC_LABEL : "neutral",
                    s.targetGroups().isEmpty() ? "" : s.targetGroups().getFirst(), s.line()));
        }
        ProbingDataset dataset = ProbingDataset.of(data.toString(), examples);
        if (maxSentences != null && positive(maxSentences, "--max-sentences") < dataset.size()) {
            // A stratified seeded sample: what a split that holds out all but N sentences keeps.
            dataset = dataset.subset(dataset.split(1 - maxSentences / (double) dataset.size(), seed).train());
        }
        ProbingDataset.Split parts = switch (split.toLowerCase(Locale.ROOT)) {
            case "random" -> dataset.split(testFraction, seed);
            case "group" -> dataset.splitByGroup(testFraction, seed);
            default -> throw new IllegalArgumentException("unknown --split '" + split + "'; choose random or group");
        };
        Path out = run.out;
        Files.createDirectories(out);
        try (Phi phi = intervention.load(model);
             ProgressBars progress = new ProgressBars("toxicity probe")) {
            ProbeSweep.Result result = ProbeSweep.run(phi, dataset, parts, HookSelector.parse(hook).points(phi.config()),
                    Pooling.parse(pooling), new ProbeTrainer(ProbeKind.LOGISTIC, ProbeTrainer.DEFAULT_L2), progress);
            progress.close();
            out().printf(Locale.ROOT, "%s: %d sentences, %d train / %d held out (%s split, seed %d)%n%n", data,
                    dataset.size(), parts.train().length, parts.test().length, split, seed);
            out().println(result.table().printAll());
            ProbeSweep.Row best = result.best();
            LinearProbe probe = result.probes().get(best.hook());
            ObjectNode info = ReproducibleJson.object()
                    .put("model", phi.id())
                    .put("data", data.toString())
                    .put("data_sha256", DatasetDigest.sha256(data))
                    .put("split", split)
                    .put("seed", seed)
                    .put("sentences", dataset.size())
                    .put("accuracy", best.accuracy())
                    .put("auroc", best.auroc());
            probe.save(out.resolve("probe"), info);
            ObjectNode sweep = result.json();
            sweep.set("info", info);
            Files.writeString(out.resolve("sweep.json"), ReproducibleJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(sweep) + "\n");
            result.table().write().csv(out.resolve("sweep.csv").toFile());
            out().printf(Locale.ROOT, "best: %s, held-out accuracy %.3f, AUROC %.3f; saved %s%n", best.hook(), best.accuracy(),
                    best.auroc(), out.resolve("probe.json"));
        }
        return 0;
    }
}

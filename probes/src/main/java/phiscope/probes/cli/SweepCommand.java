package phiscope.probes.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import phiscope.engine.Phi;
import phiscope.engine.cli.ModelOptions;
import phiscope.engine.hooks.HookSelector;
import phiscope.probes.Pooling;
import phiscope.probes.data.ProbingDataset;
import phiscope.probes.io.ProbesJson;
import phiscope.probes.linear.LinearProbe;
import phiscope.probes.linear.ProbeKind;
import phiscope.probes.linear.ProbeSweep;
import phiscope.probes.linear.ProbeTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "sweep", description = {
    "Train a linear probe at every selected hook and report held-out accuracy and AUROC per hook.",
    "The dataset is JSONL, {\"text\", \"label\"[, \"group\"]} per line. --out FILE.json writes "
        + "{\"results\": [{\"hook\", \"layer\", \"accuracy\", \"auroc\", ...}]}; --out FILE.csv the table."})
public final class SweepCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Mixin
    InterventionOption intervention;

    @Option(names = "--data", required = true, paramLabel = "FILE.jsonl", description = "The probing dataset.")
    Path data;

    @Option(names = "--hook", paramLabel = "SELECTOR", description = "Hooks to probe, e.g. 'blocks.*.hook_resid_post' (default) or 'blocks.0:2.hook_mlp_out'.")
    String hook = "blocks.*.hook_resid_post";

    @Option(names = "--pooling", paramLabel = "last|mean", description = "Which token's activation, or the mean (default: ${DEFAULT-VALUE}).")
    String pooling = "last";

    @Option(names = "--kind", paramLabel = "logistic|diff-means", description = "Probe kind (default: ${DEFAULT-VALUE}).")
    String kind = "logistic";

    @Option(names = "--l2", paramLabel = "X", description = "L2 penalty of logistic probes on standardised features (default: ${DEFAULT-VALUE}).")
    double l2 = ProbeTrainer.DEFAULT_L2;

    @Option(names = "--test-fraction", paramLabel = "F", description = "Share held out (default: ${DEFAULT-VALUE}).")
    double testFraction = 0.25;

    @Option(names = "--split", paramLabel = "random|group", description = "Stratified random split, or whole groups (default: ${DEFAULT-VALUE}).")
    String split = "random";

    @Option(names = "--seed", description = "Split seed (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the results: .json or .csv.")
    Path out;

    @Option(names = "--save-best", paramLabel = "PATH", description = "Save the probe of the best hook as PATH.json + PATH.safetensors.")
    Path saveBest;

    @Override
    public Integer call() {
        ProbingDataset dataset = ProbingDataset.load(data);
        ProbingDataset.Split parts = switch (split.toLowerCase(Locale.ROOT)) {
            case "random" -> dataset.split(testFraction, seed);
            case "group" -> dataset.splitByGroup(testFraction, seed);
            default -> throw new IllegalArgumentException("unknown --split '" + split + "'; choose random or group");
        };
        ProbeTrainer trainer = new ProbeTrainer(ProbeKind.parse(kind), l2);
        Pooling pool = Pooling.parse(pooling);
        try (Phi phi = intervention.load(model);
             ProgressBars progress = new ProgressBars("probe sweep")) {
            var points = HookSelector.parse(hook).points(phi.config());
            ProbeSweep.Result result = ProbeSweep.run(phi, dataset, parts, points, pool, trainer, progress);
            progress.close();
            System.out.printf(Locale.ROOT, "%s: %d examples, classes %s, %d train / %d test (%s split, seed %d)%n%n", data,
                    dataset.size(), dataset.classes(), parts.train().length, parts.test().length, split, seed);
            Output.print(result.table());
            ProbeSweep.Row best = result.best();
            System.out.printf(Locale.ROOT, "best: %s (accuracy %.3f, AUROC %.3f)%n", best.hook(), best.accuracy(), best.auroc());
            if (out != null) {
                ObjectNode json = result.json();
                json.put("data", data.toString());
                json.put("model", model.directory().toString());
                Output.write(out, result.table(), json);
            }
            if (saveBest != null) {
                LinearProbe probe = result.probes().get(best.hook());
                ObjectNode info = ProbesJson.MAPPER.createObjectNode();
                info.put("data", data.toString());
                info.put("accuracy", best.accuracy());
                info.put("auroc", best.auroc());
                System.err.println("saved " + probe.save(saveBest, info).json());
            }
            return 0;
        }
    }
}

package phiscope.probes.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import phiscope.engine.Phi;
import phiscope.engine.cli.ModelOptions;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.hooks.IndexSlice;
import phiscope.engine.model.Sampler;
import phiscope.probes.Pooling;
import phiscope.probes.Progress;
import phiscope.probes.data.LabeledText;
import phiscope.probes.data.ProbingDataset;
import phiscope.probes.sae.SparseAutoencoder;
import phiscope.probes.steering.BehaviourMetric;
import phiscope.probes.steering.Steering;
import phiscope.probes.steering.SteeringVector;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

@Command(name = "steer", description = {
    "Add a steering vector at a layer and show baseline and steered greedy continuations side by side.",
    "The vector is a difference of means over a labelled dataset (--data, --toward), ActAdd from a prompt pair "
        + "(--plus, --minus), a SAE feature's decoder direction (--sae, --feature) or a saved one (--load), scaled by --coefficient.",
    "With --sweep-layers and --coefficients, measure a behaviour metric (mean log-prob of --toward-completion minus "
        + "--away-completion after each --metric-prompt) for every layer x coefficient."})
public final class SteerCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Mixin
    InterventionOption intervention;

    static final class Source {
        @Option(names = "--load", paramLabel = "PATH", description = "A saved vector (PATH.json + PATH.safetensors).")
        Path load;

        @ArgGroup(exclusive = false)
        ActAdd actAdd;

        @ArgGroup(exclusive = false)
        Means means;

        @ArgGroup(exclusive = false)
        Feature feature;
    }

    static final class Feature {
        @Option(names = "--sae", required = true, paramLabel = "DIR", description = "A SAE folder (SAELens layout) ...")
        Path sae;

        @Option(names = "--feature", required = true, paramLabel = "N", description = "... and the feature whose decoder direction "
                + "is added at the SAE's hook.")
        int feature;
    }

    static final class ActAdd {
        @Option(names = "--plus", required = true, paramLabel = "TEXT", description = "ActAdd: the prompt to steer towards.")
        String plus;

        @Option(names = "--minus", required = true, paramLabel = "TEXT", description = "ActAdd: the prompt to steer away from.")
        String minus;
    }

    static final class Means {
        @Option(names = "--data", required = true, paramLabel = "FILE.jsonl", description = "Difference of means over this dataset ...")
        Path data;

        @Option(names = "--toward", required = true, paramLabel = "LABEL", description = "... from the other labels towards this one.")
        String toward;

        @Option(names = "--pooling", paramLabel = "last|mean", description = "Per-text activation (default: ${DEFAULT-VALUE}).")
        String pooling = "mean";
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--layer", paramLabel = "L", description = "Block whose input is steered (default: the middle block).")
    Integer layer;

    @Option(names = "--site", paramLabel = "SITE", description = "resid_pre (default), resid_post, attn_out or mlp_out.")
    String site = "resid_pre";

    @Option(names = "--coefficient", paramLabel = "C", description = "Scale of the added vector (default: ${DEFAULT-VALUE}).")
    double coefficient = 4;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "Continue this prompt with and without steering; repeatable.")
    List<String> prompts = new ArrayList<>();

    @Option(names = "--max-tokens", paramLabel = "N", description = "Tokens per continuation (default: ${DEFAULT-VALUE}).")
    int maxTokens = 24;

    @Option(names = "--sweep-layers", paramLabel = "SLICE", description = "Layers of the sweep, e.g. 0:4 or 1,3.")
    String sweepLayers;

    @Option(names = "--coefficients", split = ",", paramLabel = "C", description = "Coefficients of the sweep (default: -8,-4,0,4,8).")
    double[] coefficients = {-8, -4, 0, 4, 8};

    @Option(names = "--metric-prompt", paramLabel = "TEXT", description = "Sweep metric: a prompt; repeatable.")
    List<String> metricPrompts = new ArrayList<>();

    @Option(names = "--toward-completion", paramLabel = "TEXT", description = "Sweep metric: a continuation showing the behaviour; repeatable.")
    List<String> towardCompletions = new ArrayList<>();

    @Option(names = "--away-completion", paramLabel = "TEXT", description = "Sweep metric: a continuation without it; repeatable.")
    List<String> awayCompletions = new ArrayList<>();

    @Option(names = "--save", paramLabel = "PATH", description = "Save the vector of --layer as PATH.json + PATH.safetensors.")
    Path save;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the sweep table: .json or .csv.")
    Path out;

    @Override
    public Integer call() {
        HookSite hookSite = SteeringVector.site(site);
        try (Phi phi = intervention.load(model);
             ProgressBars progress = new ProgressBars("steering")) {
            int layers = phi.config().numLayers();
            int chosen = layer != null ? layer : layers / 2;
            if (chosen < 0 || chosen >= layers) {
                throw new IllegalArgumentException("--layer " + chosen + " is out of range: the model has blocks 0.." + (layers - 1));
            }
            int[] sweep = sweepLayers == null ? new int[0] : IndexSlice.parse(sweepLayers).resolve(layers, "layer");
            if (sweep.length > 0 && (metricPrompts.isEmpty() || towardCompletions.isEmpty() || awayCompletions.isEmpty())) {
                throw new IllegalArgumentException("--sweep-layers needs a behaviour metric: --metric-prompt, --toward-completion and "
                        + "--away-completion (each repeatable)");
            }
            Map<Integer, SteeringVector> vectors = vectors(phi, hookSite, chosen, sweep, progress);
            SteeringVector main = vectors.get(chosen);
            System.out.printf(Locale.ROOT, "steering vector: %s on %s, %d row(s), norm %.3f%n%n", main.method(), main.hook(),
                    main.rows().length, main.norm());
            if (!prompts.isEmpty()) {
                List<Steering.Comparison> comparisons = new ArrayList<>();
                for (String prompt : prompts) {
                    comparisons.add(Steering.compare(phi, main, coefficient, prompt, maxTokens, Sampler.Settings.GREEDY));
                }
                Output.print(Steering.comparisons(comparisons));
            }
            if (sweep.length > 0) {
                BehaviourMetric metric = new BehaviourMetric(metricPrompts, towardCompletions, awayCompletions);
                Table table = Steering.sweep(phi, sweep, vectors::get, coefficients, metric, progress);
                progress.close();
                Output.print(table);
                if (out != null) {
                    Output.write(out, table, null);
                }
            }
            if (save != null) {
                System.err.println("saved " + main.save(save).json());
            }
            return 0;
        }
    }

    /** The vector at {@code chosen} and at every sweep layer. */
    private Map<Integer, SteeringVector> vectors(Phi phi, HookSite hookSite, int chosen, int[] sweep, Progress progress) {
        Map<Integer, SteeringVector> vectors = new LinkedHashMap<>();
        List<Integer> layers = new ArrayList<>(List.of(chosen));
        for (int l : sweep) {
            if (!layers.contains(l)) {
                layers.add(l);
            }
        }
        if (source.load != null || source.feature != null) {
            SteeringVector fixed = source.load != null ? SteeringVector.load(source.load)
                    : SteeringVector.decoderDirection(SparseAutoencoder.load(source.feature.sae), source.feature.feature);
            for (int l : layers) {
                vectors.put(l, fixed);
            }
            if (sweep.length > 1) {
                System.err.println("note: a " + (source.load != null ? "loaded vector" : "feature's direction") + " is added at its own "
                        + "hook (" + fixed.hook() + ") for every sweep layer");
            }
            return vectors;
        }
        if (source.actAdd != null) {
            for (int l : layers) {
                vectors.put(l, SteeringVector.actAdd(phi, HookPoint.inBlock(l, hookSite), source.actAdd.plus, source.actAdd.minus));
            }
            return vectors;
        }
        ProbingDataset data = ProbingDataset.load(source.means.data);
        if (!data.classes().contains(source.means.toward)) {
            throw new IllegalArgumentException("--toward '" + source.means.toward + "' is not a label of " + source.means.data
                    + "; its labels are " + data.classes());
        }
        List<String> positive = data.examples().stream().filter(e -> e.label().equals(source.means.toward)).map(LabeledText::text).toList();
        List<String> negative = data.examples().stream().filter(e -> !e.label().equals(source.means.toward)).map(LabeledText::text).toList();
        List<HookPoint> points = layers.stream().map(l -> HookPoint.inBlock(l, hookSite)).toList();
        Map<HookPoint, SteeringVector> byPoint = SteeringVector.differenceOfMeans(phi, points, positive, negative,
                Pooling.parse(source.means.pooling), progress);
        for (int l : layers) {
            vectors.put(l, byPoint.get(HookPoint.inBlock(l, hookSite)));
        }
        return vectors;
    }
}

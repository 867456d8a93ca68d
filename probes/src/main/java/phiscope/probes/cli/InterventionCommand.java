package phiscope.probes.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import phiscope.engine.Phi;
import phiscope.engine.cli.ModelOptions;
import phiscope.engine.cli.UsageHelpCommand;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.hooks.IndexSlice;
import phiscope.engine.model.PhiConfig;
import phiscope.probes.intervention.Intervention;
import phiscope.probes.intervention.InterventionStamp;
import phiscope.probes.patching.Ablation;
import phiscope.probes.sae.SparseAutoencoder;
import phiscope.probes.steering.SteeringVector;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code phiscope intervention}: saved edits of a model, which every command that runs one takes with --intervention. */
@Command(name = "intervention", description = {
    "Saved edits of a model: steering vectors, head and neuron ablations, SAE feature clamps.",
    "Every command that runs the model takes the file with --intervention FILE.json (generate, audits, eval, serve), and "
        + "`phiscope export --intervention` folds it into the weights where weights can express it."},
        subcommands = {UsageHelpCommand.class, InterventionCommand.Create.class, InterventionCommand.Show.class})
public final class InterventionCommand implements Runnable {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "create", description = {
        "Write an intervention file pair (FILE.json + FILE.safetensors) from steering vectors, ablations and clamps, in the order given.",
        "For example, --steer away.json=-4 --ablate-heads 1:0,3 --out runs/edit.json adds -4 x a saved vector and zero-ablates "
            + "heads 0 and 3 of block 1."})
    static final class Create implements Callable<Integer> {

        @Mixin
        ModelOptions model;

        @Option(names = "--steer", paramLabel = "VECTOR.json=C",
                description = "Add C x a saved steering vector (from `phiscope steer --save`) at its hook; repeatable.")
        List<String> steers = new ArrayList<>();

        @Option(names = "--ablate-heads", paramLabel = "L:H[,H...]", description = "Ablate heads H of block L (on attn.hook_z); repeatable.")
        List<String> heads = new ArrayList<>();

        @Option(names = "--ablate-neurons", paramLabel = "L:N[,N...]", description = "Ablate MLP neurons N of block L (on mlp.hook_post); repeatable.")
        List<String> neurons = new ArrayList<>();

        @Option(names = "--with", paramLabel = "zero|mean", description = "What ablated units become (default: ${DEFAULT-VALUE}).")
        String with = "zero";

        @Option(names = "--mean-over", paramLabel = "FILE.txt",
                description = "Mean ablation: the unit's mean over every token of these texts, one per line.")
        Path meanOver;

        @Option(names = "--positions", split = ",", paramLabel = "P",
                description = "Ablate at these sequence positions only (from 0; default: all). Position-limited edits are not foldable.")
        int[] positions;

        @Option(names = "--clamp", paramLabel = "SAE_DIR:FEATURE=VALUE",
                description = "Hold a SAE feature at VALUE at every position (0 ablates it), the SAE spliced with its error term; repeatable.")
        List<String> clamps = new ArrayList<>();

        @Option(names = "--description", paramLabel = "TEXT", description = "What the edit is for: how runs and reports name it.")
        String description = "";

        @Option(names = "--out", required = true, paramLabel = "FILE.json", description = "Where to write FILE.json and FILE.safetensors.")
        Path out;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PhiConfig config = PhiConfig.load(model.directory());
            Intervention.Replacement replacement = switch (with.toLowerCase(Locale.ROOT)) {
                case "zero" -> Intervention.Replacement.ZERO;
                case "mean" -> Intervention.Replacement.MEAN;
                default -> throw usage("--with takes zero or mean, not '" + with + "'");
            };
            if (replacement == Intervention.Replacement.MEAN && meanOver == null && !(heads.isEmpty() && neurons.isEmpty())) {
                throw usage("--with mean needs --mean-over FILE.txt: the texts the means are taken over");
            }
            List<Intervention.Edit> edits = new ArrayList<>();
            for (String steer : steers) {
                int at = steer.lastIndexOf('=');
                if (at <= 0) throw usage("--steer takes VECTOR.json=C (a saved vector and its coefficient), not '" + steer + "'");
                edits.add(new Intervention.Steer(SteeringVector.load(Path.of(steer.substring(0, at))), number(steer.substring(at + 1), "--steer")));
            }
            boolean needsModel = replacement == Intervention.Replacement.MEAN && !(heads.isEmpty() && neurons.isEmpty());
            try (Phi phi = needsModel ? model.load() : null) {
                List<int[]> texts = needsModel ? Files.readAllLines(meanOver).stream().filter(l -> !l.isBlank()).map(phi::encode).toList()
                        : List.of();
                for (String spec : heads) edits.add(ablation(spec, "blocks.%d.attn.hook_z", replacement, texts, phi));
                for (String spec : neurons) edits.add(ablation(spec, "blocks.%d.mlp.hook_post", replacement, texts, phi));
            }
            for (String clamp : clamps) {
                int colon = clamp.lastIndexOf(':');
                int equals = clamp.lastIndexOf('=');
                if (colon <= 0 || equals < colon) throw usage("--clamp takes SAE_DIR:FEATURE=VALUE, not '" + clamp + "'");
                edits.add(new Intervention.Clamp(SparseAutoencoder.load(Path.of(clamp.substring(0, colon))),
                        whole(clamp.substring(colon + 1, equals), "--clamp"), (float) number(clamp.substring(equals + 1), "--clamp")));
            }
            if (edits.isEmpty()) throw usage("name at least one edit: --steer, --ablate-heads, --ablate-neurons or --clamp");
            Intervention intervention = new Intervention(description, edits);
            intervention.register(new Hooks(config)); // refuses, before anything is written, what does not fit the model
            var pair = intervention.save(out);
            System.out.println("wrote " + pair.json() + " + " + pair.tensors().getFileName() + ": " + intervention.summary());
            return 0;
        }

        private Intervention.Ablate ablation(String spec, String hookPattern, Intervention.Replacement replacement, List<int[]> texts, Phi phi) {
            int colon = spec.indexOf(':');
            if (colon <= 0) throw usage("ablations take L:UNITS, e.g. 1:0,3 (block 1, units 0 and 3), not '" + spec + "'");
            int block = whole(spec.substring(0, colon), "the block");
            int[] units = Arrays.stream(spec.substring(colon + 1).split(",")).mapToInt(u -> whole(u.strip(), "a unit")).toArray();
            String hook = String.format(Locale.ROOT, hookPattern, block);
            float[] means = null;
            if (replacement == Intervention.Replacement.MEAN) {
                HookPoint point = HookPoint.parse(hook, phi.config());
                means = Ablation.mean(point, units, IndexSlice.ALL, phi.model(), texts).replacement();
            }
            return new Intervention.Ablate(hook, units, replacement, means, positions);
        }

        private static double number(String text, String option) {
            try {
                return Double.parseDouble(text.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": '" + text + "' is not a number");
            }
        }

        private static int whole(String text, String what) {
            try {
                return Integer.parseInt(text.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + " must be a whole number, not '" + text + "'");
            }
        }

        private CommandLine.ParameterException usage(String message) {
            return new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }

    @Command(name = "show", description = "Print what an intervention file does, edit by edit, and the checksum runs record it by.")
    static final class Show implements Callable<Integer> {

        @Parameters(paramLabel = "FILE.json", description = "The intervention.")
        Path file;

        @Override
        public Integer call() {
            Intervention intervention = Intervention.load(file);
            InterventionStamp stamp = InterventionStamp.of(file, intervention);
            System.out.println(stamp.file());
            if (!intervention.description().isBlank()) System.out.println("  " + intervention.description());
            for (int i = 0; i < intervention.edits().size(); i++) {
                System.out.println("  " + (i + 1) + ". " + intervention.edits().get(i).summary());
            }
            System.out.println("  sha256 " + stamp.sha256());
            return 0;
        }
    }
}

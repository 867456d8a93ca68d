package phiscope.probes.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import phiscope.engine.Phi;
import phiscope.engine.cli.ModelOptions;
import phiscope.probes.sae.SaeConfig;
import phiscope.probes.sae.SaeTrainer;
import phiscope.probes.sae.SaeTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", description = {
    "Train a sparse autoencoder on a hook's activations over a text corpus and save it in SAELens's folder layout.",
    "Activations stream through a shuffling buffer of bounded size; the run checkpoints into --out as it goes and, "
        + "started again with the same arguments after a crash, continues from its last checkpoint."})
public final class SaeTrainCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Mixin
    InterventionOption intervention;

    @Option(names = "--hook", required = true, paramLabel = "HOOK", description = "The hook to read, e.g. blocks.2.hook_resid_post.")
    String hook;

    @Option(names = "--architecture", paramLabel = "topk|standard|jumprelu", description = "topk (AuxK loss), standard (L1) "
            + "or jumprelu (L0, learned thresholds) (default: ${DEFAULT-VALUE}).")
    String architecture = "topk";

    @Option(names = "--d-sae", required = true, paramLabel = "N", description = "Number of features.")
    int dSae;

    @Option(names = "--k", paramLabel = "K", description = "Features kept per token by topk (default: ${DEFAULT-VALUE}).")
    int k = 32;

    @Option(names = "--l1", paramLabel = "C", description = "L1 coefficient of a standard SAE (default: ${DEFAULT-VALUE}).")
    float l1 = 5f;

    @Option(names = "--l0", paramLabel = "C", description = "L0 coefficient of a jumprelu SAE (default: ${DEFAULT-VALUE}).")
    float l0 = 1f;

    @Option(names = "--bandwidth", paramLabel = "E", description = "Width of jumprelu's straight-through kernel, in the hook's "
            + "units (default: ${DEFAULT-VALUE}, as SAELens).")
    float bandwidth = 0.001f;

    @Option(names = "--threshold", paramLabel = "T", description = "jumprelu's initial threshold (default: ${DEFAULT-VALUE}, as SAELens).")
    float threshold = 0.001f;

    @Option(names = "--corpus", required = true, paramLabel = "DIR|FILE",
            description = "Text to train on: a file, or the .py, .txt and .md files under a folder (a .jsonl file: one JSON string per line).")
    Path corpus;

    @Option(names = "--tokens", required = true, paramLabel = "N", description = "Training tokens.")
    long tokens;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The SAE's folder (holds the checkpoint while training).")
    Path out;

    @Option(names = "--lr", paramLabel = "RATE", description = "Adam's learning rate (default: ${DEFAULT-VALUE}).")
    float learningRate = 1e-3f;

    @Option(names = "--batch", paramLabel = "TOKENS", description = "Tokens per step (default: ${DEFAULT-VALUE}).")
    int batch = 1024;

    @Option(names = "--context", paramLabel = "TOKENS", description = "Tokens per window run through the model (default: ${DEFAULT-VALUE}).")
    int context = 128;

    @Option(names = "--buffer", paramLabel = "TOKENS", description = "Activations held for shuffling (default: ${DEFAULT-VALUE}).")
    int buffer = 65536;

    @Option(names = "--dead-window", paramLabel = "TOKENS",
            description = "A feature that has not fired for this many tokens is dead (default: ${DEFAULT-VALUE}).")
    long deadWindow = 100_000;

    @Option(names = "--checkpoint-every", paramLabel = "TOKENS", description = "Checkpoint interval (default: ${DEFAULT-VALUE}).")
    long checkpointEvery = 100_000;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the initialisation and the shuffles (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Override
    public Integer call() {
        SaeConfig.Architecture kind = switch (architecture.toLowerCase(Locale.ROOT)) {
            case "topk" -> SaeConfig.Architecture.TOPK;
            case "standard" -> SaeConfig.Architecture.STANDARD;
            case "jumprelu" -> SaeConfig.Architecture.JUMPRELU;
            default -> throw new IllegalArgumentException("--architecture takes topk, standard or jumprelu, not '" + architecture + "'");
        };
        boolean jumpRelu = kind == SaeConfig.Architecture.JUMPRELU;
        float sparsity = switch (kind) {
            case STANDARD -> l1;
            case JUMPRELU -> l0;
            default -> 0f;
        };
        SaeTrainer.Settings settings = new SaeTrainer.Settings(hook, kind, dSae, kind == SaeConfig.Architecture.TOPK ? k : 0, sparsity,
                jumpRelu ? bandwidth : 0f, jumpRelu ? threshold : 0f, learningRate, batch, tokens, deadWindow, seed);
        SaeTraining.Options options = new SaeTraining.Options(corpus, out, context, buffer, checkpointEvery);
        try (Phi phi = intervention.load(model); ProgressBars progress = new ProgressBars("sae train")) {
            SaeTraining.Result result = SaeTraining.run(phi, settings, options, progress);
            progress.close();
            System.out.printf(Locale.ROOT, "%s %s: %d tokens in %d steps; last step: mse %.5g, L0 %.1f, dead %d%n",
                    result.resumed() ? "resumed and trained" : "trained", result.folder(), result.tokens(), result.steps(),
                    result.last().mse(), result.last().l0(), result.last().dead());
            System.out.printf(Locale.ROOT, "%.0f tokens/s overall: the model's forward passes %.0f tokens/s, the training steps %.0f "
                    + "tokens/s%s%n", result.tokensPerSecond(), result.forwardTokensPerSecond(), result.trainingTokensPerSecond(),
                    result.skippedFiles() > 0 ? "; " + result.skippedFiles() + " files that are not UTF-8 skipped" : "");
            if (result.tokens() < tokens) {
                System.out.println("the corpus ran out after " + result.tokens() + " of " + tokens + " tokens");
            }
            return 0;
        }
    }
}

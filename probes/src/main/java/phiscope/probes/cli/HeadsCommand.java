package phiscope.probes.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;
import phiscope.engine.Phi;
import phiscope.engine.cli.ModelOptions;
import phiscope.probes.heads.HeadDetector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "heads", description = {
    "Previous-token, duplicate-token and induction scores of every head, from random token sequences repeated twice.",
    "The sequences are [bos] r r; also prints the loss on the first and on the repeated copy."})
public final class HeadsCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Mixin
    InterventionOption intervention;

    @Option(names = "--length", paramLabel = "N", description = "Random tokens per copy (default: ${DEFAULT-VALUE}).")
    int length = 32;

    @Option(names = "--batches", paramLabel = "N", description = "Random sequences to average over (default: ${DEFAULT-VALUE}).")
    int batches = 8;

    @Option(names = "--seed", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Option(names = "--no-bos", description = "Do not put <|endoftext|> first.")
    boolean noBos;

    @Option(names = "--tokens-from", paramLabel = "FILE", description =
        "Draw the random tokens from the distinct tokens of this text file instead of the whole vocabulary.")
    Path tokensFrom;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the scores: .json or .csv.")
    Path out;

    @Override
    public Integer call() {
        try (Phi phi = intervention.load(model);
             ProgressBars progress = new ProgressBars("head detectors")) {
            int[] pool = tokensFrom == null ? HeadDetector.vocabulary(phi.vocabularyLimit()) : HeadDetector.distinct(phi.encode(read(tokensFrom)));
            System.out.printf(Locale.ROOT, "random tokens from %s (%d distinct ids)%n%n",
                    tokensFrom == null ? "the whole vocabulary" : tokensFrom, pool.length);
            HeadDetector.Result result = HeadDetector.run(phi.model(), pool, length, batches, seed,
                    noBos ? -1 : phi.endOfText(), phi::newHooks, progress);
            progress.close();
            Output.print(result.table());
            System.out.printf(Locale.ROOT, "loss per token: first copy %.3f, repeated copy %.3f (%s)%n", result.firstCopyLoss(),
                    result.secondCopyLoss(), result.secondCopyLoss() < result.firstCopyLoss() - 0.5
                            ? "the model uses the repetition" : "little gain from the repetition");
            printTop(result, "induction", Comparator.comparingDouble(HeadDetector.HeadScore::induction));
            printTop(result, "previous-token", Comparator.comparingDouble(HeadDetector.HeadScore::previousToken));
            printTop(result, "duplicate-token", Comparator.comparingDouble(HeadDetector.HeadScore::duplicateToken));
            if (out != null) {
                Output.write(out, result.table(), null);
            }
            return 0;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": file not found");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void printTop(HeadDetector.Result result, String score, Comparator<HeadDetector.HeadScore> by) {
        HeadDetector.HeadScore top = result.top(by, 1).getFirst();
        System.out.printf(Locale.ROOT, "top %s head: L%dH%d (previous %.3f, duplicate %.3f, induction %.3f)%n", score, top.layer(),
                top.head(), top.previousToken(), top.duplicateToken(), top.induction());
    }
}

package phiscope.engine.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import phiscope.engine.model.BundledModel;
import phiscope.engine.model.SyntheticCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "synth", description = {
    "Write a random checkpoint with Phi-2's exact tensor names, shapes and dtype, for speed and memory tests.",
    "It is float16 in two shards with an index, like the Hugging Face download, and comes with the tokenizer."})
public final class SynthCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write (created if missing).")
    Path out;

    @Option(names = "--shape", paramLabel = "SHAPE", description = "phi-2 (2.7B parameters, 5.6 GB) or small (for tests). Default: ${DEFAULT-VALUE}.")
    String shape = "phi-2";

    @Option(names = "--seed", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Override
    public Integer call() {
        SyntheticCheckpoint.Shape chosen = switch (shape.toLowerCase(Locale.ROOT)) {
            case "phi-2", "phi2" -> SyntheticCheckpoint.Shape.PHI_2;
            case "small" -> SyntheticCheckpoint.Shape.SMALL;
            default -> throw new IllegalArgumentException("unknown --shape '" + shape + "'; choose phi-2 or small");
        };
        Path tokenizer = BundledModel.directory().resolve("tokenizer.json");
        long start = System.nanoTime();
        SyntheticCheckpoint.write(out, chosen, Files.exists(tokenizer) ? tokenizer : null, seed);
        System.out.printf("synth: wrote %s (%s) in %.1f s%n", out, shape, (System.nanoTime() - start) / 1e9);
        return 0;
    }
}

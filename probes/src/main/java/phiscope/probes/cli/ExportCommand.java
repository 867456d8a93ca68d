package phiscope.probes.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import phiscope.engine.io.Checkpoint;
import phiscope.engine.io.Tensor;
import phiscope.engine.model.BundledModel;
import phiscope.engine.model.CheckpointExport;
import phiscope.engine.model.GgufExport;
import phiscope.engine.model.PhiConfig;
import phiscope.probes.intervention.Intervention;
import phiscope.probes.intervention.WeightFolding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "export", description = {
    "Write the model for another engine, in the format the --out name says, edited by --intervention if given.",
    "FILE.gguf: GGUF, which llama.cpp (and tools built on it) loads as arch phi2: matrices in float16 (float16 copied bit for "
        + "bit, float32 and bfloat16 rounded to nearest even), LayerNorm parameters and biases in float32, and the tokenizer.",
    "DIR (a name without a suffix): a Hugging Face checkpoint folder, which transformers loads: the model's config, tokenizer "
        + "and other files, and its tensors in one model.safetensors.",
    "--intervention folds the edit into the weights where weights express it exactly (one-row steering vectors become "
        + "biases, ablated heads and neurons zero columns) and refuses, saying why, what they cannot (ActAdd, positions, clamps)."})
public final class ExportCommand implements Callable<Integer> {

    /**
     * The formats export writes. The name given to {@code --out} chooses one, so that each format
     * is written where a user would look for it (a file for GGUF, a folder for a checkpoint).
     */
    enum Format {
        GGUF("GGUF"),
        CHECKPOINT("Hugging Face checkpoint");

        private final String label;

        Format(String label) {
            this.label = label;
        }

        static Format of(Path out) {
            String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".gguf")) return GGUF;
            if (!name.contains(".")) return CHECKPOINT;
            throw new IllegalArgumentException("--out " + out + ": export chooses the format from the name, and knows FILE.gguf "
                    + "(GGUF, for llama.cpp) and DIR without a suffix (a Hugging Face checkpoint folder, for transformers)");
        }
    }

    @Option(names = "--model", paramLabel = "DIR",
            description = "Model directory (config.json, *.safetensors, tokenizer.json). Default: the bundled nanophi-py model.")
    Path model;

    @Mixin
    InterventionOption intervention;

    @Option(names = "--out", required = true, paramLabel = "FILE.gguf|DIR",
            description = "What to write; it appears only when complete (a GGUF file replaces one of that name, a folder must be new).")
    Path out;

    @Override
    public Integer call() {
        Format format = Format.of(out);
        Path directory = model != null ? model : BundledModel.directory();
        long start = System.nanoTime();
        String edited = "";
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> replaced = Map.of();
            if (intervention.file().isPresent()) {
                Intervention edit = intervention.intervention().orElseThrow();
                try (Checkpoint checkpoint = Checkpoint.open(directory)) {
                    replaced = WeightFolding.fold(edit, checkpoint, PhiConfig.load(directory), arena);
                    write(format, directory, replaced);
                }
                edited = ", edited by " + intervention.file().get() + " (" + String.join(", ", replaced.keySet()) + ")";
            } else {
                write(format, directory, replaced);
            }
        }
        System.out.printf("export: wrote %s (%s, %,d bytes) from %s%s in %.1f s%n", out, format.label, size(out), directory, edited,
                (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private void write(Format format, Path directory, Map<String, Tensor> replaced) {
        switch (format) {
            case GGUF -> GgufExport.export(directory, replaced, out);
            case CHECKPOINT -> CheckpointExport.export(directory, replaced, out);
        }
    }

    private static long size(Path path) {
        try (Stream<Path> files = Files.walk(path)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + path + ": " + e.getMessage(), e);
        }
    }
}

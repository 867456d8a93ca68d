package phiscope.engine.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import phiscope.engine.model.BundledModel;
import phiscope.engine.model.GgufExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "export", description = {
    "Write the model for another engine, in the format the --out name says.",
    "FILE.gguf: GGUF, which llama.cpp (and tools built on it) loads as arch phi2: matrices in float16 (float16 copied bit for "
        + "bit, float32 and bfloat16 rounded to nearest even), LayerNorm parameters and biases in float32, and the tokenizer."})
public final class ExportCommand implements Callable<Integer> {

    /**
     * The formats export writes. The name given to {@code --out} chooses one, so that each format
     * is written where a user would look for it (a file for GGUF, a folder for a checkpoint).
     */
    enum Format {
        GGUF(".gguf", "GGUF");

        private final String suffix;
        private final String label;

        Format(String suffix, String label) {
            this.suffix = suffix;
            this.label = label;
        }

        static Format of(Path out) {
            String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
            return Arrays.stream(values()).filter(f -> name.endsWith(f.suffix)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--out " + out + ": export chooses the format from the "
                            + "name, and knows FILE.gguf (GGUF, for llama.cpp)"));
        }
    }

    @Option(names = "--model", paramLabel = "DIR",
            description = "Model directory (config.json, *.safetensors, tokenizer.json). Default: the bundled nanophi-py model.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "FILE.gguf",
            description = "The file to write; it appears only when complete, replacing any file of that name.")
    Path out;

    @Override
    public Integer call() {
        Format format = Format.of(out);
        Path directory = model != null ? model : BundledModel.directory();
        long start = System.nanoTime();
        switch (format) {
            case GGUF -> GgufExport.export(directory, out);
        }
        System.out.printf("export: wrote %s (%s, %,d bytes) from %s in %.1f s%n", out, format.label, size(out), directory,
                (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + file + ": " + e.getMessage(), e);
        }
    }
}

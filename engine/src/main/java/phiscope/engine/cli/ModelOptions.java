package phiscope.engine.cli;

import java.nio.file.Path;
import phiscope.engine.model.BundledModel;
import picocli.CommandLine.Option;

/** The options every command that runs a model shares. */
public final class ModelOptions {

    @Option(names = "--model", paramLabel = "DIR",
            description = "Model directory (Hugging Face layout: config.json, *.safetensors, tokenizer.json). "
                    + "Default: the bundled nanophi-py model.")
    Path model;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: one per processor).")
    int threads = Runtime.getRuntime().availableProcessors();

    public Path directory() {
        return model != null ? model : BundledModel.directory();
    }

    public int threads() {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, not " + threads);
        }
        return threads;
    }
}

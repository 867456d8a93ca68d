package phiscope.engine.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import phiscope.engine.Phi;
import phiscope.engine.model.BundledModel;
import phiscope.engine.model.WeightOptions;
import phiscope.engine.tensor.WeightFormat;
import picocli.CommandLine.Option;

/** The options every command that runs a model shares. */
public final class ModelOptions {

    @Option(names = "--model", paramLabel = "DIR",
            description = "Model directory (Hugging Face layout: config.json, *.safetensors, tokenizer.json). "
                    + "Default: the bundled nanophi-py model.")
    Path model;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: one per processor).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--weights", paramLabel = "mmap|memory",
            description = "Keep the weights mapped from the files, or copied into huge-page memory (default: memory, "
                    + "the faster).")
    String weights = "memory";

    @Option(names = "--quantize", paramLabel = "q8_0|q4_0",
            description = "Quantize the weights at load time, as llama.cpp's Q8_0 or Q4_0: faster, but an "
                    + "approximation of the model (default: off).")
    String quantize;

    /**
     * The same model held the cheapest way: mapped from its files rather than copied, unless it is
     * quantized (quantized weights are made in memory). Its id is the same; for a JVM that needs the
     * model's id and tokenizer but leaves the heavy scoring to others (a Spark driver).
     */
    public ModelOptions cheapest() {
        ModelOptions cheapest = new ModelOptions();
        cheapest.model = model;
        cheapest.threads = threads;
        cheapest.quantize = quantize;
        cheapest.weights = quantize == null ? "mmap" : weights;
        return cheapest;
    }

    public Path directory() {
        return model != null ? model : BundledModel.directory();
    }

    public int threads() {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, not " + threads);
        }
        return threads;
    }

    public WeightOptions weightOptions() {
        WeightOptions.Storage storage = switch (weights.toLowerCase(Locale.ROOT)) {
            case "mmap" -> WeightOptions.Storage.MMAP;
            case "memory" -> WeightOptions.Storage.MEMORY;
            default -> throw new IllegalArgumentException("--weights takes mmap or memory, not '" + weights + "'");
        };
        Optional<WeightFormat> quantization = Optional.ofNullable(quantize).map(q -> switch (q.toLowerCase(Locale.ROOT)) {
            case "q8_0" -> WeightFormat.Q8_0;
            case "q4_0" -> WeightFormat.Q4_0;
            default -> throw new IllegalArgumentException("--quantize takes q8_0 or q4_0, not '" + q + "'");
        });
        return new WeightOptions(storage, quantization);
    }

    /** Loads the model as the options say; says on stderr when its weights are quantized (an approximation). */
    public Phi load() {
        WeightOptions options = weightOptions();
        options.quantization().ifPresent(q -> System.err.println("phiscope: weights quantized to " + q.label()
                + " at load time: numbers approximate the model's, they are not its own"));
        return Phi.load(directory(), threads(), options);
    }
}

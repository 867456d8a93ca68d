package phiscope.toxicity.scoring;

import java.nio.file.Path;
import java.util.Optional;
import phiscope.engine.Phi;
import phiscope.engine.model.BundledModel;

/** Where audits get their model from: the single bridge to the engine. */
public final class ScoringModels {

    private ScoringModels() {
    }

    /**
     * Opens the model in {@code modelDir} (a Hugging Face style folder with config.json,
     * tokenizer.json and safetensors), or the bundled model when it is empty.
     */
    public static ScoringModel open(Optional<Path> modelDir) {
        Path directory = modelDir.orElseGet(BundledModel::directory);
        return new EngineScoringModel(Phi.load(directory, Runtime.getRuntime().availableProcessors()));
    }
}

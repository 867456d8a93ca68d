package phiscope.toxicity.scoring;

import java.nio.file.Path;
import java.util.Optional;

/** Where audits get their model from: the single bridge to the engine. */
public final class ScoringModels {

    private ScoringModels() {
    }

    /**
     * Opens the model in {@code modelDir} (a Hugging Face style folder with config.json,
     * tokenizer.json and safetensors), or the bundled model when it is empty.
     */
    public static ScoringModel open(Optional<Path> modelDir) {
        throw new IllegalStateException("engine not wired yet");
    }
}

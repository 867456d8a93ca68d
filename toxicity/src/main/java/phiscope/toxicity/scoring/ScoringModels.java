package phiscope.toxicity.scoring;

import phiscope.engine.cli.ModelOptions;

/** Where audits get their model from: the single bridge to the engine. */
public final class ScoringModels {

    private ScoringModels() {
    }

    /** Opens the model the command line names (a Hugging Face style folder; default: the bundled model). */
    public static ScoringModel open(ModelOptions options) {
        return new EngineScoringModel(options.load());
    }
}

package phiscope.toxicity.scoring;

import phiscope.engine.Phi;
import phiscope.engine.cli.ModelOptions;

/** Where audits get their model from: the single bridge to the engine. */
public final class ScoringModels {

    private ScoringModels() {
    }

    /** Opens the model the command line names (a Hugging Face style folder; default: the bundled model). */
    public static ScoringModel open(ModelOptions options) {
        return new EngineScoringModel(options.load());
    }

    /** A model already loaded (the workbench's); runs made with it carry the same id as the command line's. */
    public static ScoringModel of(Phi phi) {
        return new EngineScoringModel(phi);
    }
}

package phiscope.toxicity.scoring;

import java.util.Optional;
import phiscope.engine.Phi;
import phiscope.engine.cli.ModelOptions;
import phiscope.probes.cli.InterventionOption;
import phiscope.probes.intervention.InterventionStamp;

/** Where audits get their model from: the single bridge to the engine. */
public final class ScoringModels {

    private ScoringModels() {
    }

    /** Opens the model the command line names (a Hugging Face style folder; default: the bundled model), edited as it says. */
    public static ScoringModel open(ModelOptions options, InterventionOption intervention) {
        return new EngineScoringModel(intervention.load(options), intervention.stamp());
    }

    /** A model already loaded (the workbench's); runs made with it carry the same id as the command line's. */
    public static ScoringModel of(Phi phi) {
        return of(phi, Optional.empty());
    }

    /** A model already loaded, and edited by the saved {@code intervention} if there is one. */
    public static ScoringModel of(Phi phi, Optional<InterventionStamp> intervention) {
        return new EngineScoringModel(phi, intervention);
    }
}

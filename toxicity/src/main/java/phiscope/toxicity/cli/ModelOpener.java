package phiscope.toxicity.cli;

import phiscope.engine.cli.ModelOptions;
import phiscope.probes.cli.InterventionOption;
import phiscope.toxicity.scoring.ScoringModel;

/** How the audit commands get their model; tests hand in fakes. */
@FunctionalInterface
public interface ModelOpener {

    /**
     * @param options      --model (default: the bundled model), --threads and the other loading options
     * @param intervention --intervention, the edit to run the model with, if any
     */
    ScoringModel open(ModelOptions options, InterventionOption intervention);
}

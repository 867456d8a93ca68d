package phiscope.toxicity.cli;

import phiscope.engine.cli.ModelOptions;
import phiscope.toxicity.scoring.ScoringModel;

/** How the audit commands get their model; tests hand in fakes. */
@FunctionalInterface
public interface ModelOpener {

    /** @param options --model (default: the bundled model), --threads and the other loading options */
    ScoringModel open(ModelOptions options);
}

package phiscope.toxicity.cli;

import java.nio.file.Path;
import java.util.Optional;
import phiscope.toxicity.scoring.ScoringModel;

/** How the audit commands get their model; tests hand in fakes. */
@FunctionalInterface
public interface ModelOpener {

    /** @param modelDir the --model folder, or empty for the bundled model */
    ScoringModel open(Optional<Path> modelDir);
}

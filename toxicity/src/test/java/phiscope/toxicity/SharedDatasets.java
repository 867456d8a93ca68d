package phiscope.toxicity;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The public datasets in {@code ../shared/datasets} beside the project (never copied into it).
 * Tests that need them are skipped, with the reason, where that folder is absent.
 */
public final class SharedDatasets {

    /** Relative to the toxicity module, where Maven runs its tests. */
    private static final Path ROOT = Path.of("../../shared/datasets");

    private SharedDatasets() {
    }

    public static Path require(String relative) {
        Path path = ROOT.resolve(relative);
        assumeTrue(Files.exists(path), () -> "skipped: shared dataset " + path.toAbsolutePath().normalize()
                + " is absent (the tests read the public datasets from ../shared/datasets beside the project)");
        return path;
    }
}

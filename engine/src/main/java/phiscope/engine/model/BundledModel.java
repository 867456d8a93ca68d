package phiscope.engine.model;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the bundled nanophi-py model lives: the default whenever no model directory is given. */
public final class BundledModel {

    public static final String RELATIVE_PATH = "models/nanophi-py";

    private BundledModel() {
    }

    /**
     * {@code $phiscope.home/models/nanophi-py} when the launcher sets {@code phiscope.home}; otherwise
     * the first {@code models/nanophi-py} found from the working directory upwards.
     */
    public static Path directory() {
        String home = System.getProperty("phiscope.home");
        if (home != null) {
            return Path.of(home).resolve(RELATIVE_PATH);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(RELATIVE_PATH);
            if (Files.isRegularFile(candidate.resolve(PhiConfig.FILE))) {
                return candidate;
            }
        }
        return Path.of(RELATIVE_PATH);
    }
}

package phiscope.probes;

import java.nio.file.Path;
import phiscope.engine.Phi;

/** The bundled model and the notebooks-data folder, seen from the probes module. */
public final class Nanophi {

    public static final Path MODEL = Path.of("../models/nanophi-py");
    public static final Path NOTEBOOKS = Path.of("../notebooks-data");

    private static Phi shared;

    private Nanophi() {
    }

    /** One loaded model for all tests of a run (loading is cheap, but there is no need to repeat it). */
    public static synchronized Phi phi() {
        if (shared == null) {
            shared = Phi.load(MODEL, 2);
        }
        return shared;
    }
}

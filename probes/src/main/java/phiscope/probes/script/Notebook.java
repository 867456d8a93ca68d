package phiscope.probes.script;

import java.nio.file.Path;
import phiscope.engine.Phi;
import phiscope.engine.model.BundledModel;
import tech.tablesaw.api.Table;

/**
 * What a {@code .jsh} script needs from its runner: the model directory ({@code --model}, passed
 * as the system property {@code phiscope.model}) and the folder of the script, for its data files.
 */
public final class Notebook {

    public static final String MODEL_PROPERTY = "phiscope.model";
    public static final String SCRIPT_DIRECTORY_PROPERTY = "phiscope.script.dir";

    private Notebook() {
    }

    /** The model to run: {@code -Dphiscope.model}, else the bundled nanophi-py. */
    public static Path modelDirectory() {
        String model = System.getProperty(MODEL_PROPERTY);
        return model != null ? Path.of(model) : BundledModel.directory();
    }

    public static Phi loadModel() {
        return Phi.load(modelDirectory(), Runtime.getRuntime().availableProcessors());
    }

    /** A file next to the running script, e.g. {@code data("code-vs-prose/code-vs-prose.jsonl")}. */
    public static Path data(String relative) {
        String dir = System.getProperty(SCRIPT_DIRECTORY_PROPERTY, "notebooks-data");
        return Path.of(dir).resolve(relative);
    }

    /** Prints a heading and a whole table. */
    public static void show(String heading, Table table) {
        System.out.println();
        System.out.println("## " + heading);
        System.out.println(table.printAll());
    }
}

package phiscope.probes.cli;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import phiscope.engine.cli.ModelOptions;
import phiscope.probes.script.JshellScript;
import phiscope.probes.script.Notebook;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "script", description = {
    "Run a jshell script (.jsh) with phiscope on the class path, e.g. notebooks-data/induction-heads.jsh.",
    "Scripts get the model directory from Notebook.modelDirectory() (--model, default: the bundled model).",
    "Stops at the first snippet that fails to compile or throws; exit code 1 then."})
public final class ScriptCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Parameters(index = "0", paramLabel = "FILE.jsh", description = "The script.")
    Path script;

    @Override
    public Integer call() {
        System.setProperty(Notebook.MODEL_PROPERTY, model.directory().toAbsolutePath().toString());
        Path folder = script.toAbsolutePath().getParent();
        System.setProperty(Notebook.SCRIPT_DIRECTORY_PROPERTY, folder.toString());
        JshellScript.Outcome outcome = JshellScript.run(script, classPath(), System.err);
        if (!outcome.succeeded()) {
            System.err.println("phiscope script: " + outcome.failure());
            return 1;
        }
        return 0;
    }

    /** This JVM's class path, with {@code dir/*} entries expanded to their jars (jshell's compiler needs each one). */
    static List<String> classPath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.endsWith("*")) {
                try (Stream<Path> jars = Files.list(Path.of(entry.substring(0, entry.length() - 1)))) {
                    jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> entries.add(p.toString()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else if (!entry.isEmpty()) {
                entries.add(entry);
            }
        }
        return entries;
    }
}

package phiscope.toxicity.comparison;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import phiscope.probes.intervention.InterventionStamp;
import phiscope.toxicity.report.ReportWriter;
import phiscope.toxicity.run.Manifest;
import phiscope.toxicity.run.RunFolder;
import phiscope.toxicity.run.RunRefusedException;

/**
 * A finished audit or eval run, read for a comparison: what its manifest says it is and every
 * item's result.
 *
 * @param name how the user named the run (a path on the command line, a run name in the
 *             workbench), so that errors speak the user's terms
 */
public record ComparedRun(String name, Manifest manifest, List<JsonNode> results) {

    public ComparedRun {
        results = List.copyOf(results);
    }

    /** Reads the run in {@code folder}; a folder that is not a finished run is refused, saying what it is instead. */
    public static ComparedRun read(String name, Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new RunRefusedException(name + " is " + (Files.exists(folder) ? "a file" : "not there")
                    + "; name the --out folder of a `phiscope audit` or `phiscope eval` run");
        }
        if (Files.isRegularFile(folder.resolve("probe.json"))) {
            throw new RunRefusedException(name + " holds a toxicity probe, not an audit run: the probe is what `audit generate --probe` "
                    + "scores with; compare the generate runs made with it");
        }
        RunFolder.Contents contents = RunFolder.inspect(folder).orElseThrow(() -> new RunRefusedException(name
                + " is not a phiscope run folder (it has no " + RunFolder.MANIFEST + "); name the --out folder of a `phiscope audit` "
                + "or `phiscope eval` run"));
        if (!contents.finished()) {
            String saved = contents.manifest().items().isPresent()
                    ? contents.saved() + " of " + contents.manifest().items().getAsInt() + " items" : contents.saved() + " items";
            throw new RunRefusedException(name + " is an unfinished " + contents.manifest().benchmark() + " run (" + saved
                    + " saved, no " + ReportWriter.SUMMARY_JSON + "); finish it (run its command again, or resume it), then compare");
        }
        int items = contents.manifest().items().orElse(contents.saved());
        return new ComparedRun(name, contents.manifest(), RunFolder.readResults(folder, items));
    }

    public String benchmark() {
        return manifest.benchmark();
    }

    /** Which model made the run: its id and its edit, if any. Runs of one model share it. */
    String modelKey() {
        return manifest.model() + manifest.intervention().map(i -> " + " + i.sha256()).orElse("");
    }

    /** What a reader calls the model: the edit's summary, or else the model's id. */
    String label() {
        return manifest.intervention().map(InterventionStamp::summary).orElse(manifest.model());
    }
}

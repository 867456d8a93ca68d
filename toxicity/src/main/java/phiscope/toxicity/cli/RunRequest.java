package phiscope.toxicity.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import phiscope.probes.intervention.InterventionStamp;
import phiscope.toxicity.run.Audit;
import phiscope.toxicity.run.DatasetDigest;

/**
 * A run a command has built, ready to go into its folder.
 *
 * @param intervention the saved edit the model runs with, if any (the manifest records it)
 * @param spark   the Spark master given with --spark, if any
 * @param command the command's arguments from the subcommand on ({@code audit toxigen --data ...}),
 *                paths made absolute, so another JVM (a Spark executor) builds the same audit from them
 * @param out     where the summary table goes
 */
public record RunRequest(Path folder, Audit audit, String modelId, Optional<InterventionStamp> intervention, DatasetDigest dataset, Optional<String> spark,
                         List<String> command, PrintWriter out) {

    public RunRequest {
        command = List.copyOf(command);
    }
}

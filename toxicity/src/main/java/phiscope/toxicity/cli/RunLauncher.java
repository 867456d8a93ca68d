package phiscope.toxicity.cli;

import java.util.ServiceLoader;
import phiscope.toxicity.run.BlockScorer;
import phiscope.toxicity.run.RunFolder;
import phiscope.toxicity.run.RunRefusedException;

/**
 * What a run command does with the run it built. {@link #RUN_FOLDER} runs it into its folder, in
 * this JVM or, given --spark, on the cluster the scale module reaches; the scale module's executors
 * pass a launcher that keeps the audit to score blocks of it.
 */
@FunctionalInterface
public interface RunLauncher {

    RunLauncher RUN_FOLDER = request -> RunFolder.run(request.folder(), request.audit(), request.modelId(), request.intervention(), request.dataset(),
            request.out(), System.err, RunFolder.Listener.NONE, scorer(request));

    void launch(RunRequest request);

    /** Here, or, given --spark, the scale module's cluster scorer: looked up only then, so other runs never load Spark. */
    private static BlockScorer scorer(RunRequest request) {
        if (request.spark().isEmpty()) return BlockScorer.HERE;
        ClusterRuns cluster = ServiceLoader.load(ClusterRuns.class).findFirst().orElseThrow(() -> new RunRefusedException(
                "--spark needs the scale module (phiscope-scale.jar and its libraries in scale/target) on the class path: "
                        + "the ./phiscope launcher adds it when a command has --spark; build it with ./mvnw -pl scale -am package"));
        return cluster.scorer(request);
    }
}

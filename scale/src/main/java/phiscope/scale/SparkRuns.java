package phiscope.scale;

import phiscope.probes.intervention.InterventionStamp;
import phiscope.toxicity.cli.ClusterRuns;
import phiscope.toxicity.cli.RunRequest;
import phiscope.toxicity.run.BlockScorer;

/** Runs on Apache Spark: what toxicity's ServiceLoader finds when a command is given --spark. */
public final class SparkRuns implements ClusterRuns {

    @Override
    public BlockScorer scorer(RunRequest request) {
        return new SparkScorer(request.spark().orElseThrow(),
                new ScoringJob(request.command(), request.modelId(),
                        request.intervention().map(InterventionStamp::sha256).orElse(""), request.dataset().sha256()));
    }
}

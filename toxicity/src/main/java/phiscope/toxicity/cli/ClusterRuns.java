package phiscope.toxicity.cli;

import phiscope.toxicity.run.BlockScorer;

/**
 * Scores runs on a cluster. The scale module provides it for Apache Spark, found with
 * {@link java.util.ServiceLoader} when a command is given --spark; nothing here depends on it.
 */
public interface ClusterRuns {

    /** A scorer for {@code request}'s missing blocks on the master it names ({@link RunRequest#spark()}). */
    BlockScorer scorer(RunRequest request);
}

package phiscope.toxicity.cli;

import java.util.Optional;
import picocli.CommandLine.Option;

/** --spark: score a run's blocks on Apache Spark instead of in this JVM (the scale module does it). */
final class SparkOption {

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "Score on Apache Spark: local[N], spark://HOST:PORT, or the master spark-submit passes. "
                    + "Same files, byte for byte, as without it; the model and data must be at the same paths on every worker.")
    String master;

    Optional<String> master() {
        return Optional.ofNullable(master);
    }
}

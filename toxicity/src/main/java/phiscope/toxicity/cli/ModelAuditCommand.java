package phiscope.toxicity.cli;

import java.nio.file.Path;
import java.util.List;
import phiscope.engine.cli.ModelOptions;
import phiscope.probes.cli.InterventionOption;
import phiscope.toxicity.data.Rows;
import phiscope.toxicity.run.Audit;
import phiscope.toxicity.run.DatasetDigest;
import phiscope.toxicity.scoring.ScoringModel;
import picocli.CommandLine.Mixin;

/** An audit that scores a dataset with the model into a run folder. */
abstract class ModelAuditCommand extends AuditSubcommand {

    @Mixin
    RunOptions run;

    @Mixin
    ModelOptions model;

    @Mixin
    InterventionOption intervention;

    @Mixin
    SparkOption spark;

    <T> List<T> accept(Rows<T> rows) {
        return accept(rows, run.badRows);
    }

    /** The model; on Spark the executors score, so this JVM holds it the cheapest way (it needs its id, and the audit its tokenizer). */
    ScoringModel openModel() {
        return parent.models.open(spark.master().isPresent() ? model.cheapest() : model, intervention);
    }

    /** Runs the audit in the run folder; {@code files} are the dataset files read, for the checksum. */
    int runAudit(Audit audit, ScoringModel model, Path dataPath, List<Path> files) {
        parent.launcher.launch(new RunRequest(run.out, audit, model.id(), model.intervention(), DatasetDigest.of(dataPath, files), spark.master(),
                Invocation.of(spec, this.model), out()));
        return 0;
    }
}

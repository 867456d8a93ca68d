package phiscope.toxicity.cli;

import java.nio.file.Path;
import phiscope.toxicity.audit.CrowsPairsAudit;
import phiscope.toxicity.data.CrowsPair;
import phiscope.toxicity.data.CrowsPairsReader;
import phiscope.toxicity.data.Rows;
import phiscope.toxicity.scoring.ScoringModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code phiscope audit crows-pairs}. */
@Command(name = "crows-pairs",
        description = {"CrowS-Pairs stereotype preference; 50%% is unbiased.",
                "Share of pairs whose more stereotyping sentence the model finds more likely, "
                        + "overall, per bias type and for stereo vs antistereo pairs."})
final class CrowsPairsCommand extends ModelAuditCommand {

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "crows_pairs_anonymized.csv")
    Path data;

    @Option(names = "--batch-size", defaultValue = "" + CrowsPairsAudit.DEFAULT_BATCH_SIZE, paramLabel = "N", description = "Pairs scored together (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Override
    int execute() {
        int blockSize = positive(batchSize, "--batch-size");
        Rows<CrowsPair> rows = CrowsPairsReader.read(data);
        var pairs = accept(rows);
        ScoringModel model = openModel();
        return runAudit(new CrowsPairsAudit(model, pairs, blockSize), model, data, rows.files());
    }
}

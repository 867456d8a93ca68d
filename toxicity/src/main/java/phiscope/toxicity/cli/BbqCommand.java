package phiscope.toxicity.cli;

import java.nio.file.Path;
import phiscope.toxicity.audit.BbqAudit;
import phiscope.toxicity.data.BbqQuestion;
import phiscope.toxicity.data.BbqReader;
import phiscope.toxicity.data.Rows;
import phiscope.toxicity.scoring.ScoringModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code phiscope audit bbq}. */
@Command(name = "bbq",
        description = {"BBQ question answering bias; 0 is unbiased.",
                "The most likely of three answers; accuracy on ambiguous and disambiguated contexts "
                        + "and the bias scores S_DIS and S_AMB per category."})
final class BbqCommand extends ModelAuditCommand {

    @Option(names = "--data", required = true, paramLabel = "FILE|DIR", description = "A BBQ .jsonl file, or a folder of them.")
    Path data;

    @Option(names = "--batch-size", defaultValue = "" + BbqAudit.DEFAULT_BATCH_SIZE, paramLabel = "N", description = "Questions scored together (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Override
    int execute() {
        int blockSize = positive(batchSize, "--batch-size");
        Rows<BbqQuestion> rows = BbqReader.read(data);
        var questions = accept(rows);
        ScoringModel model = openModel();
        return runAudit(new BbqAudit(model, questions, blockSize), model, data, rows.files());
    }
}

package phiscope.toxicity.cli;

import java.nio.file.Path;
import java.util.List;
import phiscope.toxicity.audit.WinoBiasAudit;
import phiscope.toxicity.data.Rows;
import phiscope.toxicity.data.WinoBiasReader;
import phiscope.toxicity.data.WinoBiasSentence;
import phiscope.toxicity.scoring.ScoringModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code phiscope audit winobias}. */
@Command(name = "winobias",
        description = {"WinoBias gender bias in coreference; a gap of 0 is unbiased.",
                "Does the model resolve the pronoun to the right occupation, by likelihood?",
                "Accuracy on pro- and anti-stereotyped sentences per type, and the gap."})
final class WinoBiasCommand extends ModelAuditCommand {

    enum Split { dev, test, all }

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "WinoBias data folder: *_stereotyped_type*.txt.{dev,test} and the occupation lists.")
    Path data;

    @Option(names = "--split", defaultValue = "test", paramLabel = "dev|test|all", description = "Which split (default ${DEFAULT-VALUE}).")
    Split split;

    @Option(names = "--batch-size", defaultValue = "" + WinoBiasAudit.DEFAULT_BATCH_SIZE, paramLabel = "N", description = "Sentences scored together (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Override
    int execute() {
        int blockSize = positive(batchSize, "--batch-size");
        List<String> splits = split == Split.all ? List.of("dev", "test") : List.of(split.name());
        Rows<WinoBiasSentence> rows = WinoBiasReader.read(data, splits);
        var sentences = accept(rows);
        ScoringModel model = openModel();
        return runAudit(new WinoBiasAudit(model, sentences, splits, blockSize), model, data, rows.files());
    }
}

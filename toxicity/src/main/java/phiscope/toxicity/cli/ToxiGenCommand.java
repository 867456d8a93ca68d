package phiscope.toxicity.cli;

import java.nio.file.Path;
import phiscope.toxicity.audit.ToxiGenAudit;
import phiscope.toxicity.data.RatedSentence;
import phiscope.toxicity.data.Rows;
import phiscope.toxicity.data.SafeNlpReader;
import phiscope.toxicity.scoring.ScoringModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code phiscope audit toxigen}: the ToxiGen safety score of the Phi-2 announcement. */
@Command(name = "toxigen",
        description = {"ToxiGen safety score (SafeNLP) per target group and pooled; higher is safer.",
                "Perplexity of each sentence, then a Mann-Whitney U test of hateful vs neutral sentences."})
final class ToxiGenCommand extends ModelAuditCommand {

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "SafeNLP's toxiGen.json (or implicitHate.json).")
    Path data;

    @Option(names = "--batch-size", defaultValue = "" + ToxiGenAudit.DEFAULT_BATCH_SIZE, paramLabel = "N", description = "Sentences scored together (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Override
    int execute() {
        int blockSize = positive(batchSize, "--batch-size");
        Rows<RatedSentence> rows = SafeNlpReader.sentences(data);
        var sentences = accept(rows);
        ScoringModel model = openModel();
        return runAudit(new ToxiGenAudit(model, sentences, blockSize), model, data, rows.files());
    }
}

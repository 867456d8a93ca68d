package phiscope.toxicity.cli;

import phiscope.engine.cli.UsageHelpCommand;
import phiscope.toxicity.scoring.ScoringModels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code phiscope audit}: the toxicity and bias audits. */
@Command(name = "audit",
        description = {"Toxicity and bias audits of a model, as resumable runs.",
                "Each run folder (--out) holds manifest.json, results.jsonl, summary.json, summary.csv and charts; "
                        + "started again with the same arguments, a run continues where it stopped."},
        subcommands = {UsageHelpCommand.class, SafetyScoreCommand.class, ToxiGenCommand.class, CrowsPairsCommand.class,
                BbqCommand.class, WinoBiasCommand.class, GenerateCommand.class, ToxicityProbeCommand.class})
public final class AuditCommand implements Runnable {

    final ModelOpener models;
    final RunLauncher launcher;

    @Spec
    CommandSpec spec;

    public AuditCommand() {
        this(ScoringModels::open);
    }

    public AuditCommand(ModelOpener models) {
        this(models, RunLauncher.RUN_FOLDER);
    }

    public AuditCommand(ModelOpener models, RunLauncher launcher) {
        this.models = models;
        this.launcher = launcher;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name an audit: "
                + String.join(", ", spec.subcommands().keySet()));
    }
}

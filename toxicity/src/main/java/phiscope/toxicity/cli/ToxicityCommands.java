package phiscope.toxicity.cli;

import java.util.List;

/** The subcommands the toxicity module contributes to the {@code phiscope} command line. */
public final class ToxicityCommands {

    private ToxicityCommands() {
    }

    public static List<Object> all() {
        return List.of(new AuditCommand(), new EvalCommand(), new ReportCommand());
    }

    /** The same commands with their model and what they do with a built run handed in (a Spark executor keeps the audit). */
    public static List<Object> all(ModelOpener models, RunLauncher launcher) {
        return List.of(new AuditCommand(models, launcher), new EvalCommand(models, launcher));
    }
}

package phiscope.toxicity.cli;

import java.util.List;

/** The subcommands the toxicity module contributes to the {@code phiscope} command line. */
public final class ToxicityCommands {

    private ToxicityCommands() {
    }

    public static List<Object> all() {
        return List.of(new AuditCommand(), new EvalCommand());
    }
}

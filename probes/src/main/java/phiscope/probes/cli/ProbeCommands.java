package phiscope.probes.cli;

import java.util.List;

/** The subcommands the probes module contributes to the {@code phiscope} command line. */
public final class ProbeCommands {

    private ProbeCommands() {
    }

    public static List<Object> all() {
        return List.of(new GenerateCommand(), new ExportCommand(), new InterventionCommand(), new ProbeCommand(), new SaeCommand(),
                new ScriptCommand());
    }
}

package phiscope.engine.cli;

import java.util.List;

/** The subcommands the engine contributes to the {@code phiscope} command line. */
public final class EngineCommands {

    private EngineCommands() {
    }

    public static List<Object> all() {
        return List.of(new TokenizeCommand(), new VerifyCommand(), new SynthCommand(), new BenchCommand());
    }
}

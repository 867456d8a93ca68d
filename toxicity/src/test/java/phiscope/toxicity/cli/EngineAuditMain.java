package phiscope.toxicity.cli;

import picocli.CommandLine;

/** {@code phiscope audit} with the real engine and the bundled model, for tests that need a separate process to kill. */
public final class EngineAuditMain {

    private EngineAuditMain() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new AuditCommand()).execute(args));
    }
}

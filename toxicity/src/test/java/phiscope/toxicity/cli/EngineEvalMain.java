package phiscope.toxicity.cli;

import picocli.CommandLine;

/** {@code phiscope eval} with the real engine and the bundled model, for tests that need a separate process to kill. */
public final class EngineEvalMain {

    private EngineEvalMain() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new EvalCommand()).execute(args));
    }
}

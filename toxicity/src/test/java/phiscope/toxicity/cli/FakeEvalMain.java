package phiscope.toxicity.cli;

import phiscope.toxicity.FakeModel;
import picocli.CommandLine;

/**
 * {@code phiscope eval} with the fake model, for tests that need a separate process to kill.
 * {@code -Dfake.delayMillis=N} slows every scoring batch down.
 */
public final class FakeEvalMain {

    private FakeEvalMain() {
    }

    static CommandLine commandLine(long delayMillis) {
        return new CommandLine(new EvalCommand((modelDir, intervention) -> new FakeModel("fake-words-v1", FakeModel::byLength, delayMillis)));
    }

    public static void main(String[] args) {
        System.exit(commandLine(Long.getLong("fake.delayMillis", 0)).execute(args));
    }
}

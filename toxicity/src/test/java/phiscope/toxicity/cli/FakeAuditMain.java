package phiscope.toxicity.cli;

import phiscope.toxicity.FakeModel;
import picocli.CommandLine;

/**
 * {@code phiscope audit} with the fake model, for tests that need a separate process to kill.
 * {@code -Dfake.delayMillis=N} slows every scoring batch down.
 */
public final class FakeAuditMain {

    private FakeAuditMain() {
    }

    static CommandLine commandLine(long delayMillis) {
        return new CommandLine(new AuditCommand((modelDir, intervention) -> new FakeModel("fake-words-v1", FakeModel::byLength, delayMillis)));
    }

    public static void main(String[] args) {
        System.exit(commandLine(Long.getLong("fake.delayMillis", 0)).execute(args));
    }
}

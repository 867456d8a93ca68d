package phiscope.toxicity.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import phiscope.toxicity.data.BadRowPolicy;
import phiscope.toxicity.data.DatasetException;
import phiscope.toxicity.data.Rows;
import phiscope.toxicity.run.RunRefusedException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * A subcommand of {@code phiscope audit}. A refused dataset or run folder is a message and exit
 * code {@value #REFUSED}, not a stack trace.
 */
abstract class AuditSubcommand implements Callable<Integer> {

    static final int REFUSED = 2;

    @ParentCommand
    AuditCommand parent;

    @Spec
    CommandSpec spec;

    /** Does the subcommand's work; returns the exit code. */
    abstract int execute() throws Exception;

    @Override
    public final Integer call() throws Exception {
        return refusing(err(), "phiscope audit " + spec.name(), this::execute);
    }

    /** Runs {@code body}; a refused dataset or run folder becomes {@code "COMMAND: why"} on {@code err} and exit code {@value #REFUSED}. */
    static int refusing(PrintWriter err, String command, Callable<Integer> body) throws Exception {
        try {
            return body.call();
        } catch (DatasetException | RunRefusedException e) {
            err.println(command + ": " + e.getMessage());
            err.flush();
            return REFUSED;
        }
    }

    /** {@code value}, if it is at least 1; otherwise a usage error naming the option. */
    int positive(int value, String option) {
        if (value < 1) throw new CommandLine.ParameterException(spec.commandLine(), option + " must be at least 1, not " + value);
        return value;
    }

    /** The usable rows under the user's bad-row policy; a dataset without any is refused. */
    <T> List<T> accept(Rows<T> rows, BadRowPolicy policy) {
        return policy.apply(rows, err(), "pass --bad-rows=skip");
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}

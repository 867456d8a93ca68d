package phiscope.web;

import java.io.UncheckedIOException;
import phiscope.engine.cli.EngineCommands;
import phiscope.engine.cli.UsageHelpCommand;
import phiscope.engine.io.ModelFormatException;
import phiscope.probes.cli.ProbeCommands;
import phiscope.toxicity.cli.ToxicityCommands;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code phiscope} command line: composes the subcommands each module contributes. Its scope is inherited, so
 * every subcommand takes {@code -h}/{@code --help} and {@code -V} without declaring them.
 */
@Command(name = "phiscope", mixinStandardHelpOptions = true, version = "phiscope 0.1.0", scope = CommandLine.ScopeType.INHERIT,
        description = "A safety and interpretability workbench for Microsoft's Phi-2.", subcommands = UsageHelpCommand.class)
public final class Main {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        EngineCommands.all().forEach(cli::addSubcommand);
        ProbeCommands.all().forEach(cli::addSubcommand);
        ToxicityCommands.all().forEach(cli::addSubcommand);
        cli.addSubcommand(new ServeCommand());
        // Bad input is reported as one line saying what is wrong, not as a stack trace.
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ModelFormatException || e instanceof IllegalArgumentException || e instanceof UncheckedIOException) {
                commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli;
    }
}

package phiscope.engine.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Parameters;

/**
 * {@code help [COMMAND...]}: the usage help of the command it is added to, or of a subcommand at any depth
 * ({@code phiscope help probe sweep}). Every command with subcommands lists it. picocli's own
 * {@code HelpCommand} reads one name only: for {@code help probe sweep} it shows probe's help, not sweep's.
 */
@Command(name = "help", helpCommand = true, description = "Print the usage help of a command, e.g. help probe sweep.")
public final class UsageHelpCommand implements CommandLine.IHelpCommandInitializable2, Runnable {

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command, then its subcommands, to show the help of.")
    List<String> path = List.of();

    private CommandLine self;
    private Help.ColorScheme colors;
    private PrintWriter out;

    @Override
    public void init(CommandLine helpCommandLine, Help.ColorScheme colorScheme, PrintWriter outWriter, PrintWriter errWriter) {
        this.self = helpCommandLine;
        this.colors = colorScheme;
        this.out = outWriter;
    }

    @Override
    public void run() {
        CommandLine shown = self.getParent();
        for (String name : path) {
            CommandLine next = shown.getSubcommands().get(name);
            if (next == null) {
                throw new CommandLine.ParameterException(self, "'" + shown.getCommandSpec().qualifiedName() + "' has no command '"
                        + name + "'; its commands: " + String.join(", ", shown.getSubcommands().keySet()));
            }
            shown = next;
        }
        shown.usage(out, colors);
    }
}

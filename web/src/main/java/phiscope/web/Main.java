package phiscope.web;

import phiscope.toxicity.cli.AuditCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code phiscope} command line: composes the subcommands each module contributes. */
@Command(name = "phiscope", mixinStandardHelpOptions = true, version = "phiscope 0.1.0",
        description = "A safety and interpretability workbench for Microsoft's Phi-2.",
        subcommands = {AuditCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }
}

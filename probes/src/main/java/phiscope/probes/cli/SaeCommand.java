package phiscope.probes.cli;

import phiscope.engine.cli.UsageHelpCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "sae", description = "Sparse autoencoders in SAELens's folder format: features of texts, training on a corpus, evaluation, feature dashboards, steering by a feature.",
        subcommands = {UsageHelpCommand.class, SaeFeaturesCommand.class, SaeTrainCommand.class, SaeEvalCommand.class,
            SaeDashboardCommand.class, SaeSteerCommand.class, SaeAttributeCommand.class})
/** Without a subcommand, prints the list of them. */
public final class SaeCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}

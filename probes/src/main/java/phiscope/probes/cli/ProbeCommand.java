package phiscope.probes.cli;

import phiscope.engine.cli.UsageHelpCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "probe", description = "Interpretability experiments on the hooks: "
        + "activation caches, linear probe sweeps, head detectors, activation patching, the logit lens with direct logit "
        + "attribution, steering, and probe scores per token.",
        subcommands = {UsageHelpCommand.class, CacheCommand.class, SweepCommand.class, ScoreCommand.class, HeadsCommand.class,
            PatchCommand.class, LensCommand.class, SteerCommand.class})
/** Without a subcommand, prints the list of them. */
public final class ProbeCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}

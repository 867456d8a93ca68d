package phiscope.probes.cli;

import picocli.CommandLine.Command;

@Command(name = "probe", mixinStandardHelpOptions = true, description = {
    "Interpretability experiments on the hooks: activation caches, linear probe sweeps, head detectors,",
    "activation patching, the logit lens with direct logit attribution, steering, and probe scores per token."},
        subcommands = {CacheCommand.class, SweepCommand.class, ScoreCommand.class, HeadsCommand.class, PatchCommand.class,
            LensCommand.class, SteerCommand.class})
public final class ProbeCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}

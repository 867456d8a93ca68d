package phiscope.probes.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import phiscope.engine.Phi;
import phiscope.engine.cli.ModelOptions;
import phiscope.engine.model.Sampler;
import phiscope.probes.sae.SaeSplice;
import phiscope.probes.sae.SparseAutoencoder;
import phiscope.probes.steering.Steering;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

@Command(name = "steer", description = {
    "Continue prompts with and without one SAE feature clamped at a value (0 ablates it), side by side.",
    "The SAE is spliced in with its error term, so only the feature's change reaches the model."})
public final class SaeSteerCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Mixin
    InterventionOption intervention;

    @Option(names = "--sae", required = true, paramLabel = "DIR", description = "A SAELens SAE folder.")
    Path sae;

    @Option(names = "--feature", required = true, paramLabel = "F", description = "The feature to clamp.")
    int feature;

    @Option(names = "--clamp", paramLabel = "VALUE", description = "Its activation at every position (default: ${DEFAULT-VALUE}, an ablation).")
    float clamp = 0f;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "A prompt to continue; repeatable.")
    List<String> prompts;

    @Option(names = "--max-tokens", paramLabel = "N", description = "Tokens per continuation (default: ${DEFAULT-VALUE}).")
    int maxTokens = 24;

    @Override
    public Integer call() {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("--max-tokens must be at least 1, not " + maxTokens);
        }
        SparseAutoencoder loaded = SparseAutoencoder.load(sae);
        try (Phi phi = intervention.load(model)) {
            Table table = Table.create("feature " + feature + " of " + loaded.config().hookName() + " clamped at " + clamp,
                    StringColumn.create("prompt"), StringColumn.create("baseline"), StringColumn.create("steered"));
            for (String prompt : prompts) {
                int[] ids = phi.encode(prompt);
                var hooks = phi.newHooks();
                SaeSplice.attach(hooks, loaded, SaeSplice.Output.WITH_ERROR).clamp(feature, clamp);
                String baseline = phi.decode(phi.generate(ids, maxTokens, Sampler.Settings.GREEDY, id -> true).tokens());
                String steered = phi.decode(phi.generate(ids, maxTokens, Sampler.Settings.GREEDY, hooks, id -> true).tokens());
                table.stringColumn("prompt").append(Steering.visible(prompt));
                table.stringColumn("baseline").append(Steering.visible(baseline));
                table.stringColumn("steered").append(Steering.visible(steered));
            }
            Output.print(table);
            return 0;
        }
    }
}

package phiscope.probes.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import phiscope.engine.ByteSize;
import phiscope.engine.Phi;
import phiscope.engine.cli.ModelOptions;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.HookSelector;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.hooks.ResidualCheck;
import phiscope.engine.model.PhiModel;
import phiscope.probes.sae.SaeSplice;
import phiscope.probes.sae.SparseAutoencoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

@Command(name = "cache", description = {
    "Run prompts and keep the selected activations off-heap, within a byte budget checked before running.",
    "Keeps them in float32 or float16, prints what was kept, checks the residual identity and saves them as safetensors "
        + "(tensor names = hook names, prefixed s0., s1., ... when there are several prompts).",
    "With --sae, the SAE runs spliced in at its hook (with its error term, so nothing else changes) and its points are "
        + "selectable: 'blocks.2.hook_resid_post.hook_sae_acts_post[feature=291]'."})
public final class CacheCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Mixin
    InterventionOption intervention;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "A prompt; repeat for a batch.")
    List<String> prompts;

    @Option(names = "--select", paramLabel = "SELECTOR", description = "What to keep; repeatable. Names with * and slices: "
            + "'blocks.*.hook_resid_post', 'blocks.0:2.hook_mlp_out', 'blocks.3.attn.hook_pattern[head=2]', "
            + "'blocks.*.mlp.hook_post[pos=-1]' (default: blocks.*.hook_resid_post).")
    List<String> selectors = List.of("blocks.*.hook_resid_post");

    @Option(names = "--sae", paramLabel = "DIR", description = "A SAE folder (SAELens layout) to splice in; repeatable.")
    List<Path> saes = List.of();

    @Option(names = "--budget", paramLabel = "SIZE", description = "Most memory for the cache, e.g. 256MB, 2GB (default: ${DEFAULT-VALUE}).")
    String budget = "1GB";

    @Option(names = "--dtype", paramLabel = "f32|f16", description = "Storage precision (default: ${DEFAULT-VALUE}).")
    String dtype = "f32";

    @Option(names = "--out", paramLabel = "FILE.safetensors", description = "Save the cache here.")
    Path out;

    @Override
    public Integer call() {
        List<HookSelector> selection = HookSelector.parseAll(selectors);
        List<SparseAutoencoder> dictionaries = saes.stream().map(SparseAutoencoder::load).toList();
        try (Phi phi = intervention.load(model);
             ActivationCache cache = ActivationCache.withBudget(ByteSize.parse(budget), ActivationCache.Precision.parse(dtype))) {
            List<int[]> encoded = prompts.stream().map(phi::encode).toList();
            for (int i = 0; i < encoded.size(); i++) {
                if (encoded.get(i).length == 0) {
                    throw new IllegalArgumentException("prompt " + (i + 1) + " is empty");
                }
            }
            cache.requireFits(selection, spliced(phi, dictionaries), encoded.stream().mapToInt(ids -> ids.length).toArray());
            List<String> checks = new ArrayList<>();
            for (int i = 0; i < encoded.size(); i++) {
                String prefix = encoded.size() == 1 ? "" : "s" + i + ".";
                Hooks hooks = spliced(phi, dictionaries);
                ResidualCheck check = ResidualCheck.attach(hooks);
                cache.record(hooks, selection, prefix);
                phi.model().forward(encoded.get(i), hooks, PhiModel.Logits.NONE);
                checks.add(prefix + check.report());
            }
            Table table = Table.create("activation cache (" + cache.precision() + ", " + ByteSize.format(cache.usedBytes())
                    + " of " + ByteSize.format(cache.budgetBytes()) + ")",
                    StringColumn.create("name"), StringColumn.create("shape"), LongColumn.create("bytes"));
            for (String name : cache.names()) {
                int[] shape = cache.shape(name);
                table.stringColumn("name").append(name);
                table.stringColumn("shape").append(Arrays.toString(shape));
                table.longColumn("bytes").append(Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b)
                        * cache.precision().bytes());
            }
            Output.print(table);
            checks.forEach(System.out::println);
            if (out != null) {
                Map<String, String> metadata = new LinkedHashMap<>();
                for (int i = 0; i < prompts.size(); i++) {
                    metadata.put(prompts.size() == 1 ? "prompt" : "s" + i + ".prompt", prompts.get(i));
                }
                metadata.put("model", model.directory().toString());
                cache.save(out, metadata);
                System.err.println("wrote " + out);
            }
            return 0;
        }
    }

    /** A registry with every SAE spliced in, error term kept. */
    private static Hooks spliced(Phi phi, List<SparseAutoencoder> dictionaries) {
        Hooks hooks = phi.newHooks();
        for (SparseAutoencoder sae : dictionaries) {
            SaeSplice.attach(hooks, sae, SaeSplice.Output.WITH_ERROR);
        }
        return hooks;
    }
}

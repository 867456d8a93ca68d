package phiscope.probes.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import phiscope.engine.ByteSize;
import phiscope.engine.Phi;
import phiscope.engine.cli.ModelOptions;
import phiscope.engine.hooks.ActivationCache;
import phiscope.probes.sae.SaeFeatures;
import phiscope.probes.sae.SparseAutoencoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "features", description = {
    "Write each text's SAE pre-activations, feature activations and reconstructions as safetensors.",
    "Tensors are named s{k}.<hook_name>.hook_sae_acts_pre, ....hook_sae_acts_post [T, d_sae] and ....hook_sae_recons "
        + "[T, d_in] for the k-th text of the input (0-based)."})
public final class SaeFeaturesCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Mixin
    InterventionOption intervention;

    @Option(names = "--sae", required = true, paramLabel = "DIR",
            description = "A SAELens SAE folder (cfg.json, sae_weights.safetensors); repeat for SAEs on different hooks.")
    List<Path> saes;

    @Option(names = "--input", required = true, paramLabel = "FILE.jsonl", description = "One JSON string per line.")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "FILE.safetensors", description = "Where to write the tensors.")
    Path out;

    @Option(names = "--budget", paramLabel = "SIZE", description = "Most memory for the kept tensors (default: ${DEFAULT-VALUE}).")
    String budget = "2GB";

    @Override
    public Integer call() {
        List<String> texts = SaeFeatures.readTexts(input);
        List<SparseAutoencoder> loaded = saes.stream().map(SparseAutoencoder::load).toList();
        try (Phi phi = intervention.load(model);
             ActivationCache cache = ActivationCache.withBudget(ByteSize.parse(budget), ActivationCache.Precision.F32);
             ProgressBars progress = new ProgressBars("sae features")) {
            SaeFeatures.record(phi, loaded, texts, cache, progress);
            progress.close();
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("model", model.directory().toString());
            for (int i = 0; i < saes.size(); i++) {
                metadata.put("sae." + loaded.get(i).config().hookName(), saes.get(i).toString());
            }
            cache.save(out, metadata);
            System.out.println("wrote " + cache.names().size() + " tensors for " + texts.size() + " texts to " + out);
            return 0;
        }
    }
}

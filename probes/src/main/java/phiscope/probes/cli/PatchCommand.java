package phiscope.probes.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import phiscope.engine.Phi;
import phiscope.engine.cli.ModelOptions;
import phiscope.engine.hooks.HookSite;
import phiscope.probes.patching.ActivationPatching;
import phiscope.probes.patching.LogitDifference;
import phiscope.probes.sae.FeaturePatching;
import phiscope.probes.sae.SparseAutoencoder;
import phiscope.probes.steering.Steering;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

@Command(name = "patch", description = {
    "Activation patching from a clean prompt into a corrupted one of the same token length.",
    "The metric is logit(--answer) - logit(--wrong) at the last position, normalised: 1 = clean, 0 = corrupted. "
        + "Sweeps layer x position (resid_pre, attn_out, mlp_out) and layer x head (attn.hook_z).",
    "With --sae, also patches the SAE features whose activations differ most between the prompts, one at a time, "
        + "and zero-ablates each in the clean run."})
public final class PatchCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Mixin
    InterventionOption intervention;

    @Option(names = "--clean", required = true, paramLabel = "TEXT", description = "The prompt whose behaviour is restored.")
    String clean;

    @Option(names = "--corrupted", required = true, paramLabel = "TEXT", description = "The same prompt with the key tokens changed.")
    String corrupted;

    @Option(names = "--answer", required = true, paramLabel = "TOKEN", description = "The clean prompt's answer (one token, e.g. ' b').")
    String answer;

    @Option(names = "--wrong", required = true, paramLabel = "TOKEN", description = "The corrupted prompt's answer (one token).")
    String wrong;

    @Option(names = "--sites", split = ",", paramLabel = "SITE", description = "Position sweep sites (default: resid_pre,attn_out,mlp_out).")
    List<String> sites = List.of("resid_pre", "attn_out", "mlp_out");

    @Option(names = "--no-heads", description = "Skip the layer x head sweep.")
    boolean noHeads;

    @Option(names = "--sae", paramLabel = "DIR", description = "A SAE folder (SAELens layout) whose features are patched too.")
    Path sae;

    @Option(names = "--features", paramLabel = "N", description = "With --sae: how many features to patch, those whose activations "
            + "differ most between the prompts (default: ${DEFAULT-VALUE}).")
    int features = 10;

    @Option(names = "--feature-positions", description = "With --sae: patch each feature at each position too, not only at all of them.")
    boolean featurePositions;

    @Option(names = "--out", paramLabel = "FILE.csv", description = "Write the long table of every patch (site, layer, position, head, score).")
    Path out;

    @Override
    public Integer call() {
        List<HookSite> chosen = new ArrayList<>();
        for (String site : sites) {
            chosen.add(switch (site.strip().toLowerCase(Locale.ROOT)) {
                case "resid_pre", "hook_resid_pre" -> HookSite.RESID_PRE;
                case "attn_out", "hook_attn_out" -> HookSite.ATTN_OUT;
                case "mlp_out", "hook_mlp_out" -> HookSite.MLP_OUT;
                case "resid_post", "hook_resid_post" -> HookSite.RESID_POST;
                default -> throw new IllegalArgumentException("unknown --sites entry '" + site
                        + "'; choose among resid_pre, attn_out, mlp_out, resid_post");
            });
        }
        if (features < 1) {
            throw new IllegalArgumentException("--features must be at least 1, not " + features);
        }
        SparseAutoencoder dictionary = sae == null ? null : SparseAutoencoder.load(sae);
        try (Phi phi = intervention.load(model);
             ProgressBars progress = new ProgressBars("patching positions");
             ProgressBars headProgress = new ProgressBars("patching heads");
             ProgressBars featureProgress = new ProgressBars("patching features")) {
            LogitDifference metric = new LogitDifference(Tokens.single(phi, answer, "--answer"), Tokens.single(phi, wrong, "--wrong"));
            ActivationPatching patching = new ActivationPatching(phi.model(), phi.encode(clean), phi.encode(corrupted), metric);
            Table positions = patching.sweepPositions(chosen, id -> Steering.visible(Tokens.text(phi, id)), progress);
            progress.close();
            Table heads = noHeads ? null : patching.sweepHeads(headProgress);
            headProgress.close();
            Table featureTable = null;
            if (dictionary != null) {
                FeaturePatching featurePatching = new FeaturePatching(patching, dictionary);
                featureTable = featurePatching.sweep(featurePatching.mostChanged(features), featurePositions,
                        id -> Steering.visible(Tokens.text(phi, id)), featureProgress);
            }
            featureProgress.close();
            System.out.printf(Locale.ROOT, "logit(%s) - logit(%s): clean %.4f, corrupted %.4f%n%n", quoted(answer), quoted(wrong),
                    patching.cleanMetric(), patching.corruptedMetric());
            for (HookSite site : chosen) {
                Table one = positions.where(positions.stringColumn("site").isEqualTo(site.suffix()));
                Output.print(ActivationPatching.heatmap(one, "patched " + site.suffix() + " (rows: layer, columns: position)", "position"));
            }
            if (heads != null) {
                Output.print(ActivationPatching.heatmap(heads, "patched attn.hook_z per head, all positions", "head"));
            }
            if (featureTable != null) {
                Output.print(featureTable);
            }
            if (out != null) {
                Output.write(out, positions, null);
                if (heads != null) {
                    Output.write(sibling(out, "-heads"), heads, null);
                }
                if (featureTable != null) {
                    Output.write(sibling(out, "-features"), featureTable, null);
                }
            }
            return 0;
        }
    }

    /** p.csv with {@code suffix} before its extension: p-heads.csv. */
    private static Path sibling(Path out, String suffix) {
        return out.resolveSibling(out.getFileName().toString().replaceFirst("(\\.[^.]*)?$", suffix + "$1"));
    }

    private static String quoted(String token) {
        return "'" + Steering.visible(token) + "'";
    }
}

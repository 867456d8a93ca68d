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
import phiscope.probes.steering.Steering;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

@Command(name = "patch", description = {
    "Activation patching from a clean prompt into a corrupted one of the same token length.",
    "The metric is logit(--answer) - logit(--wrong) at the last position, normalised: 1 = clean, 0 = corrupted. "
        + "Sweeps layer x position (resid_pre, attn_out, mlp_out) and layer x head (attn.hook_z)."})
public final class PatchCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

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
        try (Phi phi = model.load();
             ProgressBars progress = new ProgressBars("patching positions");
             ProgressBars headProgress = new ProgressBars("patching heads")) {
            LogitDifference metric = new LogitDifference(Tokens.single(phi, answer, "--answer"), Tokens.single(phi, wrong, "--wrong"));
            ActivationPatching patching = new ActivationPatching(phi.model(), phi.encode(clean), phi.encode(corrupted), metric);
            Table positions = patching.sweepPositions(chosen, id -> Steering.visible(Tokens.text(phi, id)), progress);
            progress.close();
            Table heads = noHeads ? null : patching.sweepHeads(headProgress);
            headProgress.close();
            System.out.printf(Locale.ROOT, "logit(%s) - logit(%s): clean %.4f, corrupted %.4f%n%n", quoted(answer), quoted(wrong),
                    patching.cleanMetric(), patching.corruptedMetric());
            for (HookSite site : chosen) {
                Table one = positions.where(positions.stringColumn("site").isEqualTo(site.suffix()));
                Output.print(ActivationPatching.heatmap(one, "patched " + site.suffix() + " (rows: layer, columns: position)", "position"));
            }
            if (heads != null) {
                Output.print(ActivationPatching.heatmap(heads, "patched attn.hook_z per head, all positions", "head"));
            }
            if (out != null) {
                Output.write(out, positions, null);
                if (heads != null) {
                    Path headsFile = out.resolveSibling(out.getFileName().toString().replaceFirst("(\\.[^.]*)?$", "-heads$1"));
                    Output.write(headsFile, heads, null);
                }
            }
            return 0;
        }
    }

    private static String quoted(String token) {
        return "'" + Steering.visible(token) + "'";
    }
}

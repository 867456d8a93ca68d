package phiscope.probes.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import phiscope.engine.Phi;
import phiscope.engine.cli.ModelOptions;
import phiscope.probes.sae.FeatureAttribution;
import phiscope.probes.sae.SparseAutoencoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "attribute", description = {
    "Direct logit attribution of logit(token) - logit(versus) to the SAE's features at one position.",
    "Each firing feature's decoder output read through ln_final and the unembedding, with b_dec's and the error term's "
        + "shares: together the share of the SAE's hook, which is exact for attn_out, mlp_out and the last block's residual."})
public final class SaeAttributeCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Mixin
    InterventionOption intervention;

    @Option(names = "--sae", required = true, paramLabel = "DIR", description = "A SAELens SAE folder.")
    Path sae;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The text to attribute in.")
    String prompt;

    @Option(names = "--token", required = true, paramLabel = "TOKEN", description = "The token (one token of text, e.g. ' return') whose logit is attributed.")
    String token;

    @Option(names = "--versus", required = true, paramLabel = "TOKEN", description = "The token whose logit is subtracted.")
    String versus;

    @Option(names = "--position", paramLabel = "P", description = "The position, counted from the end when negative (default: ${DEFAULT-VALUE}, the last).")
    int position = -1;

    @Option(names = "--top", paramLabel = "N", description = "Features listed; the rest are summed in one row (default: ${DEFAULT-VALUE}).")
    int top = 10;

    @Override
    public Integer call() {
        if (top < 1) {
            throw new IllegalArgumentException("--top must be at least 1, not " + top);
        }
        SparseAutoencoder loaded = SparseAutoencoder.load(sae);
        try (Phi phi = intervention.load(model)) {
            int[] tokens = phi.encode(prompt);
            if (position < -tokens.length || position >= tokens.length) {
                throw new IllegalArgumentException("--position " + position + " is outside the prompt's " + tokens.length + " tokens");
            }
            FeatureAttribution.Result result = FeatureAttribution.compute(phi, loaded, tokens,
                    position < 0 ? tokens.length + position : position, Tokens.single(phi, token, "--token"),
                    Tokens.single(phi, versus, "--versus"));
            Output.print(result.table(top));
            return 0;
        }
    }
}

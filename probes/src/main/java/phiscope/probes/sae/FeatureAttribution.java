package phiscope.probes.sae;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import phiscope.engine.Phi;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.model.PhiConfig;
import phiscope.engine.model.PhiModel;
import phiscope.probes.lens.DirectLogitAttribution;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Direct logit attribution of {@code logit[a] - logit[b]} at one position to the features of a
 * SAE: what each firing feature's decoder output (its activation times W_dec[f], with the SAE's
 * normalisation undone) adds when read out through ln_final and the unembedding as {@link
 * DirectLogitAttribution} reads every part of the final residual, beside the shares of b_dec and
 * of the error term. The three add up to the hook activation's own share. That share is the
 * hook's exact direct effect where the hook writes into the final residual without passing a
 * later block: a block's {@code hook_attn_out} or {@code hook_mlp_out} (its direct path), or the
 * last block's {@code hook_resid_post} (where, with the biases' constant, it is the model's logit
 * difference). On an earlier block's residual stream it is the direct-path approximation of the
 * SAE circuit literature: the later blocks are skipped.
 */
public final class FeatureAttribution {

    public record Part(int feature, float activation, double value) {
    }

    /**
     * @param features        every firing feature's share, largest magnitude first
     * @param decoderBias     b_dec's share (and the normalisation's shift, if any)
     * @param error           the share of x − x̂, what the SAE does not reconstruct
     * @param hook            the hook activation's share: the sum of the three
     * @param constant        what the biases of ln_final and lm_head add
     */
    public record Result(String hookName, int position, List<Part> features, double decoderBias, double error, double hook,
                         double constant, double modelLogitDifference) {

        public Table table(int top) {
            Table table = Table.create(String.format(Locale.ROOT, "direct logit attribution to the features of %s at position %d "
                    + "(the hook's share %.4f; the model's difference %.4f)", hookName, position, hook, modelLogitDifference),
                    StringColumn.create("part"), DoubleColumn.create("activation"), DoubleColumn.create("contribution"));
            for (Part part : features.subList(0, Math.min(top, features.size()))) {
                row(table, "feature " + part.feature(), part.activation(), part.value());
            }
            if (features.size() > top) {
                double rest = features.subList(top, features.size()).stream().mapToDouble(Part::value).sum();
                row(table, (features.size() - top) + " other features", Double.NaN, rest);
            }
            row(table, "b_dec", Double.NaN, decoderBias);
            row(table, "error (x - x_hat)", Double.NaN, error);
            return table;
        }

        private static void row(Table table, String part, double activation, double value) {
            table.stringColumn("part").append(part);
            if (Double.isNaN(activation)) {
                table.doubleColumn("activation").appendMissing();
            } else {
                table.doubleColumn("activation").append(Math.round(activation * 10000) / 10000.0);
            }
            table.doubleColumn("contribution").append(Math.round(value * 10000) / 10000.0);
        }
    }

    private FeatureAttribution() {
    }

    public static Result compute(Phi phi, SparseAutoencoder sae, int[] tokens, int position, int tokenA, int tokenB) {
        PhiModel model = phi.model();
        PhiConfig config = model.config();
        if (position < 0 || position >= tokens.length) {
            throw new IllegalArgumentException("position " + position + " is out of range for " + tokens.length + " tokens");
        }
        var hooks = phi.newHooks();
        SaeSplice splice = SaeSplice.attach(hooks, sae, SaeSplice.Output.WITH_ERROR);
        if (splice.host().site().layout() != HookSite.Layout.TOKENS_MODEL || sae.config().hookHeadIndex().isPresent()) {
            throw new IllegalArgumentException(sae.folder() + " reads " + sae.config().hookName() + ", which does not write into "
                    + "the residual stream as it is; feature attribution takes SAEs on [T, d_model] hooks (hook_resid_*, "
                    + "hook_attn_out, hook_mlp_out)");
        }
        int d = config.hiddenSize();
        float[][] input = new float[1][];
        float[][] finalResidual = new float[1][];
        splice.observe("hook_sae_input", a -> input[0] = Arrays.copyOfRange(a.data(), a.offset() + position * d,
                a.offset() + (position + 1) * d));
        hooks.observe(HookPoint.inBlock(config.numLayers() - 1, HookSite.RESID_POST), a -> finalResidual[0] =
                Arrays.copyOfRange(a.data(), a.offset() + position * d, a.offset() + (position + 1) * d));
        // causal: the tokens after the position change nothing at it
        float[] logits = model.forward(Arrays.copyOf(tokens, position + 1), hooks, PhiModel.Logits.LAST);
        DirectLogitAttribution.Readout readout = DirectLogitAttribution.Readout.of(model, finalResidual[0], tokenA, tokenB);

        // decode is affine in the activations, so a feature's output is decode(one-hot) − decode(none)
        SparseAutoencoder.Encoding encoding = sae.encode(input[0], 1);
        float[] acts = encoding.actsPost();
        float[] none = sae.decode(with(encoding, new float[acts.length]));
        float[] reconstruction = sae.decode(encoding);
        List<Part> parts = new ArrayList<>();
        for (int f = 0; f < acts.length; f++) {
            if (acts[f] != 0f) {
                float[] oneHot = new float[acts.length];
                oneHot[f] = acts[f];
                float[] output = sae.decode(with(encoding, oneHot));
                for (int i = 0; i < d; i++) {
                    output[i] -= none[i];
                }
                parts.add(new Part(f, acts[f], readout.project(output, 0)));
            }
        }
        parts.sort(Comparator.comparingDouble((Part p) -> Math.abs(p.value())).reversed());
        float[] error = new float[d];
        for (int i = 0; i < d; i++) {
            error[i] = input[0][i] - reconstruction[i];
        }
        return new Result(sae.config().hookName(), position, List.copyOf(parts), readout.project(none, 0),
                readout.project(error, 0), readout.project(input[0], 0), readout.constant(),
                (double) logits[tokenA] - logits[tokenB]);
    }

    private static SparseAutoencoder.Encoding with(SparseAutoencoder.Encoding encoding, float[] acts) {
        return new SparseAutoencoder.Encoding(1, encoding.actsPre(), encoding.gatePre(), acts, encoding.scaling());
    }
}

package phiscope.probes.lens;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.model.PhiConfig;
import phiscope.engine.model.PhiModel;
import phiscope.engine.model.PhiWeights;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Direct logit attribution of {@code logit[a] - logit[b]} at one position. The final residual is
 * the sum of the embedding (the direct path), every head's {@code hook_result}, every block's
 * attention output bias and every MLP's output; the final LayerNorm is linear once its scale is
 * frozen at the position's value, so each part contributes
 * {@code sum_i gamma_i (c_i - mean(c)) / sigma * (W_U[a] - W_U[b])_i}. With the constant
 * {@code beta . (W_U[a] - W_U[b]) + bias_a - bias_b} the contributions add up to the model's logit difference.
 */
public final class DirectLogitAttribution {

    /** One component: kind is embed, head, attn_bias, mlp or constant; layer and head are -1 where they do not apply. */
    public record Contribution(String component, String kind, int layer, int head, double value) {
    }

    public record Result(List<Contribution> contributions, double modelLogitDifference, int position) {

        public double total() {
            return contributions.stream().mapToDouble(Contribution::value).sum();
        }

        public Table table() {
            Table table = Table.create(String.format(Locale.ROOT, "direct logit attribution (model: %.4f, sum: %.4f)",
                    modelLogitDifference, total()), StringColumn.create("component"), StringColumn.create("kind"),
                    IntColumn.create("layer"), IntColumn.create("head"), DoubleColumn.create("contribution"));
            for (Contribution c : contributions) {
                table.stringColumn("component").append(c.component());
                table.stringColumn("kind").append(c.kind());
                table.intColumn("layer").append(c.layer());
                table.intColumn("head").append(c.head());
                table.doubleColumn("contribution").append(Math.round(c.value() * 10000) / 10000.0);
            }
            return table;
        }
    }

    private DirectLogitAttribution() {
    }

    public static Result compute(PhiModel model, int[] tokens, int position, int tokenA, int tokenB) {
        return compute(model, model.newHooks(), tokens, position, tokenA, tokenB);
    }

    /**
     * The attribution of the model's pass with {@code hooks}: hooks that edit activations (an
     * ablation) change what is attributed, and a hook that throws stops the pass.
     */
    public static Result compute(PhiModel model, Hooks hooks, int[] tokens, int position, int tokenA, int tokenB) {
        PhiConfig c = model.config();
        if (position < 0 || position >= tokens.length) {
            throw new IllegalArgumentException("position " + position + " is out of range for " + tokens.length + " tokens");
        }
        Readout.requireTokens(c, tokenA, tokenB);
        int d = c.hiddenSize();
        int heads = c.numHeads();
        int layers = c.numLayers();
        PhiWeights w = model.weights();
        // The model is causal: the tokens after the position change nothing at it, so the pass stops there. Of what it
        // computes only the position's rows are kept: every head's hook_result of a long prompt would not fit in memory.
        int[] prefix = Arrays.copyOf(tokens, position + 1);
        Map<HookPoint, float[]> rows = new HashMap<>();
        HookPoint embed = HookPoint.inBlock(0, HookSite.RESID_PRE);
        HookPoint last = HookPoint.inBlock(layers - 1, HookSite.RESID_POST);
        List<HookPoint> points = new ArrayList<>(List.of(embed, last));
        for (int layer = 0; layer < layers; layer++) {
            points.add(HookPoint.inBlock(layer, HookSite.RESULT));
            points.add(HookPoint.inBlock(layer, HookSite.MLP_OUT));
        }
        for (HookPoint point : points) {
            hooks.observe(point, a -> {
                int width = a.size() / a.shape()[0];
                rows.put(point, Arrays.copyOfRange(a.data(), a.offset() + position * width, a.offset() + (position + 1) * width));
            });
        }
        float[] logits = model.forward(prefix, hooks, PhiModel.Logits.LAST);
        double modelDifference = (double) logits[tokenA] - logits[tokenB];

        Readout readout = Readout.of(model, rows.get(last), tokenA, tokenB);

        List<Contribution> parts = new ArrayList<>();
        parts.add(new Contribution("embed", "embed", -1, -1,
                readout.project(rows.get(embed), 0)));
        for (int layer = 0; layer < layers; layer++) {
            float[] result = rows.get(HookPoint.inBlock(layer, HookSite.RESULT));
            for (int h = 0; h < heads; h++) {
                parts.add(new Contribution("L" + layer + "H" + h, "head", layer, h, readout.project(result, h * d)));
            }
            parts.add(new Contribution("L" + layer + " attn bias", "attn_bias", layer, -1,
                    readout.project(w.blocks().get(layer).dense().bias(), 0)));
            parts.add(new Contribution("L" + layer + " mlp", "mlp", layer, -1,
                    readout.project(rows.get(HookPoint.inBlock(layer, HookSite.MLP_OUT)), 0)));
        }
        parts.add(new Contribution("ln_final bias + lm_head bias", "constant", -1, -1, readout.constant()));
        return new Result(parts, modelDifference, position);
    }

    /**
     * How a part of the final residual at one position reaches {@code logit[a] - logit[b]}: through
     * ln_final with its scale frozen at that position's {@code sigma}, onto {@code direction} =
     * gamma * (W_U[a] - W_U[b]); {@code constant} is what the biases of ln_final and lm_head add.
     */
    public record Readout(double[] direction, double sigma, double constant) {

        /** The readout of {@code finalResidual}, the position's row of the last block's hook_resid_post. */
        public static Readout of(PhiModel model, float[] finalResidual, int tokenA, int tokenB) {
            requireTokens(model.config(), tokenA, tokenB);
            PhiWeights w = model.weights();
            int d = model.config().hiddenSize();
            float[] unembedA = new float[d];
            float[] unembedB = new float[d];
            w.lmHead().weight().decodeRows(tokenA, 1, unembedA, 0);
            w.lmHead().weight().decodeRows(tokenB, 1, unembedB, 0);
            double[] direction = new double[d];
            double constant = (double) w.lmHead().bias()[tokenA] - w.lmHead().bias()[tokenB];
            for (int i = 0; i < d; i++) {
                double u = (double) unembedA[i] - unembedB[i];
                direction[i] = w.finalNorm().weight()[i] * u;
                constant += w.finalNorm().bias()[i] * u;
            }
            return new Readout(direction, scale(finalResidual, 0, d, model.config().layerNormEps()), constant);
        }

        static void requireTokens(PhiConfig config, int... ids) {
            for (int id : ids) {
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException("token " + id + " is outside the vocabulary (0.." + (config.vocabSize() - 1) + ")");
                }
            }
        }

        /** What {@code component[offset, offset + d)}, a part of the final residual, adds to the logit difference. */
        public double project(float[] component, int offset) {
            return DirectLogitAttribution.project(component, offset, direction, sigma);
        }
    }

    /** sqrt(biased variance + eps) of one row, as the final LayerNorm computes it. */
    private static double scale(float[] x, int offset, int d, double eps) {
        double sum = 0;
        for (int i = 0; i < d; i++) {
            sum += x[offset + i];
        }
        double mean = sum / d;
        double squares = 0;
        for (int i = 0; i < d; i++) {
            squares += (x[offset + i] - mean) * (x[offset + i] - mean);
        }
        return Math.sqrt(squares / d + eps);
    }

    /** The centred component, through the frozen LayerNorm scale, onto gamma * (W_U[a] - W_U[b]). */
    private static double project(float[] component, int offset, double[] direction, double sigma) {
        int d = direction.length;
        double mean = 0;
        for (int i = 0; i < d; i++) {
            mean += component[offset + i];
        }
        mean /= d;
        double dot = 0;
        for (int i = 0; i < d; i++) {
            dot += (component[offset + i] - mean) * direction[i];
        }
        return dot / sigma;
    }
}

package phiscope.probes.sae;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import phiscope.engine.Phi;
import phiscope.engine.model.PhiWeights;
import phiscope.probes.Progress;
import phiscope.probes.io.ProbesJson;

/**
 * What Neuronpedia-style feature pages show, from one pass over a corpus: for every feature its
 * density, a histogram of its non-zero activations, its top-activating contexts and contexts at
 * the quartiles of its activations (each token of a context with the feature's activation there),
 * and its logit effects: the decoder direction through ln_final's scale (centred, as the
 * LayerNorm centres it) and the unembedding, without the unembedding's bias, largest and smallest.
 */
public final class FeatureDashboards {

    /** Contexts kept per feature, tokens shown before and after the activating one, histogram bins, tokens per logit list. */
    public record Settings(int topContexts, int before, int after, int bins, int logitTokens) {
        public static final Settings DEFAULT = new Settings(10, 8, 4, 20, 10);
    }

    /** One firing: text, position and activation. */
    private record Firing(int text, int position, float activation) {
    }

    private FeatureDashboards() {
    }

    /** Builds every feature's dashboard on up to {@code maxTokens} tokens of {@code corpus}. */
    public static ObjectNode build(Phi phi, SparseAutoencoder sae, Corpus corpus, long maxTokens, Settings settings, Progress progress) {
        int dSae = sae.dSae();
        List<int[]> texts = new ArrayList<>();
        // each token's firing features, sparse: a dense [tokens, d_sae] table is 1.3 GB at Phi-2's 16k features over 20k tokens
        List<int[][]> firedFeatures = new ArrayList<>();
        List<float[][]> firedValues = new ArrayList<>();
        List<List<Firing>> byFeature = new ArrayList<>();
        for (int f = 0; f < dSae; f++) {
            byFeature.add(new ArrayList<>());
        }
        long tokens = 0;
        int[] window;
        while (tokens < maxTokens && (window = corpus.next()) != null) {
            if (window.length > maxTokens - tokens) {
                window = Arrays.copyOf(window, (int) (maxTokens - tokens));
            }
            int text = texts.size();
            int rows = window.length;
            int[][] features = new int[rows][];
            float[][] values = new float[rows][];
            var hooks = phi.newHooks();
            SaeSplice.attach(hooks, sae, SaeSplice.Output.WITH_ERROR).observe("hook_sae_acts_post", a -> {
                for (int t = 0; t < rows; t++) {
                    int n = 0;
                    for (int f = 0; f < dSae; f++) {
                        n += a.data()[t * dSae + f] > 0f ? 1 : 0;
                    }
                    features[t] = new int[n];
                    values[t] = new float[n];
                    int j = 0;
                    for (int f = 0; f < dSae; f++) {
                        float v = a.data()[t * dSae + f];
                        if (v > 0f) {
                            features[t][j] = f;
                            values[t][j++] = v;
                            byFeature.get(f).add(new Firing(text, t, v));
                        }
                    }
                }
            });
            phi.model().forward(window, hooks, phiscope.engine.model.PhiModel.Logits.NONE);
            texts.add(window);
            firedFeatures.add(features);
            firedValues.add(values);
            tokens += rows;
            progress.advance(tokens + " tokens", (int) Math.min(tokens, Integer.MAX_VALUE), (int) Math.min(maxTokens, Integer.MAX_VALUE));
        }
        if (tokens == 0) {
            throw new IllegalArgumentException(corpus.root() + ": no windows of at least 8 tokens to build dashboards from");
        }
        LogitEffects[] logitEffects = logitEffects(phi, sae, settings.logitTokens());
        ObjectNode root = ProbesJson.MAPPER.createObjectNode();
        root.put("sae", sae.folder().toString());
        root.put("hook_name", sae.config().hookName());
        root.put("corpus", corpus.root().toString());
        root.put("tokens", tokens);
        ArrayNode out = root.putArray("features");
        for (int f = 0; f < dSae; f++) {
            List<Firing> firings = byFeature.get(f);
            ObjectNode page = out.addObject();
            page.put("feature", f);
            page.put("density", (double) firings.size() / tokens);
            page.set("histogram", histogram(firings, settings.bins()));
            List<Firing> sorted = new ArrayList<>(firings);
            sorted.sort(Comparator.comparingDouble(Firing::activation).reversed());
            ArrayNode top = page.putArray("top");
            for (Firing firing : sorted.subList(0, Math.min(settings.topContexts(), sorted.size()))) {
                top.add(context(phi, f, firing, texts, firedFeatures, firedValues, settings));
            }
            ArrayNode quantiles = page.putArray("quantiles");
            if (!sorted.isEmpty()) {
                for (double q : new double[] {0.75, 0.5, 0.25}) {
                    Firing firing = sorted.get((int) Math.min(sorted.size() - 1, Math.round((1 - q) * (sorted.size() - 1))));
                    quantiles.add(context(phi, f, firing, texts, firedFeatures, firedValues, settings).put("quantile", q));
                }
            }
            page.set("positive_logits", logitList(phi, logitEffects[f].positive(), logitEffects[f].positiveLogits()));
            page.set("negative_logits", logitList(phi, logitEffects[f].negative(), logitEffects[f].negativeLogits()));
        }
        return root;
    }

    /** The tokens whose logits a feature's decoder direction raises most ({@code positive}) and lowers most, with the change. */
    public record LogitEffects(int[] positive, float[] positiveLogits, int[] negative, float[] negativeLogits) {
    }

    /**
     * Per feature, the logits its decoder direction adds through ln_final (centred and scaled by
     * its weight, as with 1/σ = 1) and the unembedding without its bias, over the real vocabulary:
     * the {@code count} largest and smallest.
     */
    public static LogitEffects[] logitEffects(Phi phi, SparseAutoencoder sae, int count) {
        PhiWeights weights = phi.model().weights();
        int d = phi.config().hiddenSize();
        if (sae.dIn() != d) {
            throw new IllegalArgumentException("logit effects need a SAE on the residual stream (d_in " + d + "), not d_in " + sae.dIn());
        }
        float[] gamma = weights.finalNorm().weight();
        float[] rows = new float[sae.dSae() * d];
        for (int f = 0; f < sae.dSae(); f++) {
            float[] direction = sae.decoderDirection(f);
            double mean = 0;
            for (float v : direction) {
                mean += v / (double) d;
            }
            for (int i = 0; i < d; i++) {
                rows[f * d + i] = (float) ((direction[i] - mean) * gamma[i]);
            }
        }
        float[] bias = weights.lmHead().bias();
        int vocabulary = phi.vocabularyLimit();
        LogitEffects[] effects = new LogitEffects[sae.dSae()];
        float[] effect = new float[vocabulary];
        phi.model().unembed(rows, 0, sae.dSae(), (row, logits, offset) -> {
            for (int v = 0; v < vocabulary; v++) {
                effect[v] = logits[offset + v] - bias[v];
            }
            int[] up = extremes(effect, count, 1f);
            int[] down = extremes(effect, count, -1f);
            effects[row] = new LogitEffects(up, pick(effect, up), down, pick(effect, down));
        });
        return effects;
    }

    /** The indices of the {@code count} largest values of {@code sign · values}, largest first; ties to the lower index. */
    private static int[] extremes(float[] values, int count, float sign) {
        int n = Math.min(count, values.length);
        int[] best = new int[n];
        int filled = 0;
        for (int i = 0; i < values.length; i++) {
            float v = sign * values[i];
            if (filled < n || v > sign * values[best[n - 1]]) {
                int at = filled < n ? filled++ : n - 1;
                while (at > 0 && sign * values[best[at - 1]] < v) {
                    best[at] = best[at - 1];
                    at--;
                }
                best[at] = i;
            }
        }
        return best;
    }

    private static float[] pick(float[] values, int[] indices) {
        float[] out = new float[indices.length];
        for (int i = 0; i < indices.length; i++) {
            out[i] = values[indices[i]];
        }
        return out;
    }

    private static ArrayNode logitList(Phi phi, int[] ids, float[] logits) {
        ArrayNode list = ProbesJson.MAPPER.createArrayNode();
        for (int i = 0; i < ids.length; i++) {
            list.addObject().put("token", phi.decode(new int[] {ids[i]})).put("id", ids[i]).put("logit", logits[i]);
        }
        return list;
    }

    private static ObjectNode histogram(List<Firing> firings, int bins) {
        ObjectNode node = ProbesJson.MAPPER.createObjectNode();
        float max = 0f;
        for (Firing firing : firings) {
            max = Math.max(max, firing.activation());
        }
        int[] counts = new int[bins];
        for (Firing firing : firings) {
            counts[Math.min(bins - 1, (int) (firing.activation() / max * bins))]++;
        }
        node.put("max", max);
        ArrayNode array = node.putArray("counts");
        for (int c : counts) {
            array.add(c);
        }
        return node;
    }

    private static ObjectNode context(Phi phi, int feature, Firing firing, List<int[]> texts, List<int[][]> firedFeatures,
            List<float[][]> firedValues, Settings settings) {
        int[] ids = texts.get(firing.text());
        int from = Math.max(0, firing.position() - settings.before());
        int to = Math.min(ids.length, firing.position() + settings.after() + 1);
        ObjectNode node = ProbesJson.MAPPER.createObjectNode();
        node.put("activation", firing.activation());
        node.put("position", firing.position() - from);
        ArrayNode tokens = node.putArray("tokens");
        ArrayNode values = node.putArray("values");
        for (int t = from; t < to; t++) {
            tokens.add(phi.decode(new int[] {ids[t]}));
            float value = 0f;
            int[] fired = firedFeatures.get(firing.text())[t];
            for (int j = 0; j < fired.length; j++) {
                if (fired[j] == feature) {
                    value = firedValues.get(firing.text())[t][j];
                }
            }
            values.add(value);
        }
        return node;
    }
}

package phiscope.probes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import phiscope.engine.Phi;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.model.PhiModel;

/**
 * One pooled vector per text at each of several hook points, from one forward pass per text.
 * Per-token sites only ({@code [T, ...]}); a token's heads are flattened ({@code [T, H, d]} gives
 * {@code H * d} features).
 */
public final class ActivationCollector {

    private ActivationCollector() {
    }

    /** {@code result.get(point)[i]} is the pooled activation of {@code texts.get(i)} at {@code point}. */
    public static Map<HookPoint, float[][]> collect(Phi phi, List<String> texts, List<HookPoint> points, Pooling pooling,
                                                    Progress progress) {
        List<int[]> encoded = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            int[] ids = phi.encode(texts.get(i));
            if (ids.length == 0) {
                throw new IllegalArgumentException("text " + (i + 1) + " is empty: it has no tokens to read activations from");
            }
            encoded.add(ids);
        }
        return collectTokens(phi.model(), encoded, points, pooling, progress);
    }

    public static Map<HookPoint, float[][]> collectTokens(PhiModel model, List<int[]> sequences, List<HookPoint> points,
                                                          Pooling pooling, Progress progress) {
        for (HookPoint point : points) {
            requirePerToken(point);
        }
        Map<HookPoint, float[][]> features = new LinkedHashMap<>();
        for (HookPoint point : points) {
            features.put(point, new float[sequences.size()][]);
        }
        boolean logits = points.stream().anyMatch(p -> p.site() == HookSite.LOGITS);
        for (int i = 0; i < sequences.size(); i++) {
            int row = i;
            Hooks hooks = model.newHooks();
            for (HookPoint point : points) {
                hooks.observe(point, a -> {
                    int[] shape = a.shape();
                    features.get(point)[row] = pooling.pool(a.data(), a.offset(), shape[0], a.size() / shape[0]);
                });
            }
            model.forward(sequences.get(i), hooks, logits ? PhiModel.Logits.ALL : PhiModel.Logits.NONE);
            progress.advance("text " + (i + 1), i + 1, sequences.size());
        }
        return features;
    }

    /** Patterns and scores are per (head, query, key), not per token: a probe cannot read them. */
    public static void requirePerToken(HookPoint point) {
        if (point.site().layout() == HookSite.Layout.HEADS_QUERIES_KEYS) {
            throw new IllegalArgumentException(point.name() + " is [heads, queries, keys], not per token; probes and steering "
                    + "read per-token hooks such as blocks.L.hook_resid_post, hook_attn_out, mlp.hook_post or attn.hook_z");
        }
    }
}

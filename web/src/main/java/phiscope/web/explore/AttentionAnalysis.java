package phiscope.web.explore;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import phiscope.engine.Phi;
import phiscope.engine.hooks.Activation;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.web.server.BoundedCache;
import phiscope.web.server.Job;

/**
 * Attention patterns of a prompt: a summary score per head and a small thumbnail of every head
 * (one forward pass for all layers, computed as the patterns stream by, never all held at once),
 * one head's pattern (downsampled for long prompts), and one query token across a layer's heads.
 */
final class AttentionAnalysis {

    /** The per-head scores of the overview grid, each averaged over query positions. */
    static final List<String> METRICS = List.of("entropy", "previousToken", "firstToken", "currentToken", "maxWeight");
    static final int THUMBNAIL_SIZE = 32;

    record Summary(int layers, int heads, int tokens, List<String> metrics, Map<String, float[][]> scores) {
    }

    /** Every head of a layer at thumbnail resolution: {@code heads[h]} is its lower-triangle cells. */
    record Thumbnails(int layer, int tokens, int[] binStarts, float[][][] heads) {
    }

    /** One head's pattern: {@code values[i]} are query bin {@code i}'s weights on key bins {@code 0..i}. */
    record Pattern(int layer, int head, int tokens, boolean downsampled, int[] binStarts, float[][] values) {
    }

    /** How one query position attends to the keys before it, in every head of a layer. */
    record QueryAttention(int layer, int position, float[][] heads) {
    }

    private record Overview(Summary summary, Bins bins, float[][][][] thumbnails) {
    }

    private final Phi phi;
    private final ActivationStore store;
    private final BoundedCache<TokenIds, Overview> overviews;

    AttentionAnalysis(Phi phi, ActivationStore store) {
        this.phi = phi;
        this.store = store;
        int heads = phi.config().numLayers() * phi.config().numHeads();
        this.overviews = new BoundedCache<>(16L * heads * THUMBNAIL_SIZE * THUMBNAIL_SIZE * 4, overview -> {
            int cells = overview.bins().count() * (overview.bins().count() + 1) / 2;
            return 4L * heads * (cells + METRICS.size());
        });
    }

    /** The summary of every head; for a new prompt, this is the pass that fills the store (see {@link ActivationStore#prime}). */
    Summary summary(Job job, int[] ids) {
        return overview(job, ids).summary();
    }

    Thumbnails thumbnails(Job job, int[] ids, int layer) {
        Overview overview = overview(job, ids);
        return new Thumbnails(layer, ids.length, overview.bins().starts(), overview.thumbnails()[layer]);
    }

    Pattern pattern(Job job, int[] ids, int layer, int head, int maxSize) {
        ActivationCache.Entry patterns = store.capture(job, ids, HookPoint.inBlock(layer, HookSite.PATTERN));
        int tokens = ids.length;
        Bins bins = Bins.of(tokens, maxSize);
        return new Pattern(layer, head, tokens, bins.downsampled(), bins.starts(),
                bins.maxPool(patterns.data(), head * tokens * tokens));
    }

    QueryAttention query(Job job, int[] ids, int layer, int position) {
        ActivationCache.Entry patterns = store.capture(job, ids, HookPoint.inBlock(layer, HookSite.PATTERN));
        int tokens = ids.length;
        float[][] heads = new float[phi.config().numHeads()][position + 1];
        for (int h = 0; h < heads.length; h++) {
            System.arraycopy(patterns.data(), (h * tokens + position) * tokens, heads[h], 0, position + 1);
        }
        return new QueryAttention(layer, position, heads);
    }

    private Overview overview(Job job, int[] ids) {
        TokenIds key = new TokenIds(ids);
        Overview overview = overviews.get(key);
        if (overview == null) {
            overview = computeOverview(job, ids);
            overviews.put(key, overview);
        }
        return overview;
    }

    private Overview computeOverview(Job job, int[] ids) {
        int layers = phi.config().numLayers();
        int heads = phi.config().numHeads();
        Map<String, float[][]> scores = new LinkedHashMap<>();
        for (String metric : METRICS) {
            scores.put(metric, new float[layers][heads]);
        }
        Bins bins = Bins.of(ids.length, THUMBNAIL_SIZE);
        float[][][][] thumbnails = new float[layers][heads][][];
        store.prime(job, ids, hooks -> hooks.add("blocks.*.attn.hook_pattern", pattern -> {
            int layer = pattern.point().block();
            for (int h = 0; h < heads; h++) {
                float[] headScores = headScores(pattern, h);
                for (int m = 0; m < METRICS.size(); m++) {
                    scores.get(METRICS.get(m))[layer][h] = headScores[m];
                }
                thumbnails[layer][h] = rounded(bins.maxPool(pattern.data(), pattern.offset() + h * ids.length * ids.length));
            }
        }));
        return new Overview(new Summary(layers, heads, ids.length, METRICS, scores), bins, thumbnails);
    }

    /** The {@link #METRICS} of head {@code h}: mean entropy (nats) and mean weights on the previous, first and current token and the largest. */
    private static float[] headScores(Activation pattern, int h) {
        int tokens = pattern.shape()[1];
        float[] data = pattern.data();
        double entropy = 0;
        double previous = 0;
        double first = 0;
        double current = 0;
        double max = 0;
        for (int q = 0; q < tokens; q++) {
            int base = pattern.offset() + (h * tokens + q) * tokens;
            float rowMax = 0;
            for (int k = 0; k <= q; k++) {
                float p = data[base + k];
                if (p > 0) {
                    entropy -= p * Math.log(p);
                }
                rowMax = Math.max(rowMax, p);
            }
            if (q > 0) {
                previous += data[base + q - 1];
            }
            first += data[base];
            current += data[base + q];
            max += rowMax;
        }
        return new float[] {(float) (entropy / tokens), tokens > 1 ? (float) (previous / (tokens - 1)) : 0f,
                (float) (first / tokens), (float) (current / tokens), (float) (max / tokens)};
    }

    /** Thumbnails need three decimals, not nine: a third of the JSON. */
    private static float[][] rounded(float[][] cells) {
        for (float[] row : cells) {
            for (int i = 0; i < row.length; i++) {
                row[i] = Math.round(row[i] * 1000) / 1000f;
            }
        }
        return cells;
    }
}

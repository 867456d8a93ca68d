package phiscope.web.explore;

import java.util.ArrayList;
import java.util.List;
import phiscope.engine.Phi;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.tensor.Ops;
import phiscope.web.server.Job;

/**
 * The model's next-token distribution at every position of a prompt: the top-k tokens with their
 * probabilities, and the probability it gave the token that actually came next.
 */
final class Predictions {

    record Prediction(int id, String text, float probability) {
    }

    record PositionPredictions(int position, Float nextTokenProbability, List<Prediction> top) {
    }

    private final Phi phi;
    private final ActivationStore store;

    Predictions(Phi phi, ActivationStore store) {
        this.phi = phi;
        this.store = store;
    }

    List<PositionPredictions> at(Job job, int[] ids, int k) {
        ActivationCache.Entry normalized = store.capture(job, ids, HookPoint.global(HookSite.LN_FINAL));
        int limit = phi.vocabularyLimit();
        List<PositionPredictions> positions = new ArrayList<>(ids.length);
        phi.model().unembed(normalized.data(), 0, ids.length, (t, logits, base) -> {
            job.throwIfStopped();
            float logNormalizer = Ops.logSumExp(logits, base, limit);
            Float next = t + 1 < ids.length ? (float) Math.exp(logits[base + ids[t + 1]] - logNormalizer) : null;
            positions.add(new PositionPredictions(t, next, top(logits, base, limit, k, logNormalizer)));
        });
        return positions;
    }

    private List<Prediction> top(float[] logits, int base, int limit, int k, float logNormalizer) {
        int[] best = new int[k];
        int size = 0;
        // Insertion into a small sorted array: k is at most a few dozen, the vocabulary tens of thousands.
        for (int id = 0; id < limit; id++) {
            float logit = logits[base + id];
            if (size == k && logit <= logits[base + best[k - 1]]) {
                continue;
            }
            int i = size < k ? size++ : k - 1;
            while (i > 0 && logits[base + best[i - 1]] < logit) {
                best[i] = best[i - 1];
                i--;
            }
            best[i] = id;
        }
        List<Prediction> top = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            int id = best[i];
            top.add(new Prediction(id, phi.requireTokenizer().decode(id), (float) Math.exp(logits[base + id] - logNormalizer)));
        }
        return top;
    }
}

package phiscope.probes.linear;

import java.util.ArrayList;
import java.util.List;
import phiscope.engine.Phi;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.model.PhiModel;
import phiscope.probes.ActivationCollector;
import phiscope.probes.Pooling;

/**
 * A probe read at every token of a text, for colouring text: at position t the probe sees what it
 * would see had the text ended at t (that token's activation, or the mean up to it for mean pooling).
 */
public final class TokenScores {

    /** One token: its id and text, and the probe's class probabilities there. */
    public record TokenScore(int position, int id, String token, double[] probabilities, int predicted) {
    }

    private TokenScores() {
    }

    public static List<TokenScore> score(Phi phi, LinearProbe probe, String text) {
        int[] ids = phi.encode(text);
        if (ids.length == 0) {
            throw new IllegalArgumentException("the text is empty");
        }
        HookPoint point = HookPoint.parse(probe.hook(), phi.config());
        ActivationCollector.requirePerToken(point);
        float[][] rows = new float[ids.length][];
        Hooks hooks = phi.hooks();
        hooks.observe(point, a -> {
            int width = a.size() / ids.length;
            for (int t = 0; t < ids.length; t++) {
                rows[t] = Pooling.LAST.pool(a.data(), a.offset() + t * width, 1, width);
            }
        });
        phi.model().forward(ids, hooks, PhiModel.Logits.NONE);
        List<TokenScore> scores = new ArrayList<>();
        float[] running = new float[rows[0].length];
        for (int t = 0; t < ids.length; t++) {
            float[] x = rows[t];
            if (probe.pooling() == Pooling.MEAN) {
                for (int j = 0; j < running.length; j++) {
                    running[j] += (rows[t][j] - running[j]) / (t + 1);
                }
                x = running.clone();
            }
            double[] p = probe.probabilities(x);
            scores.add(new TokenScore(t, ids[t], phi.decode(new int[] {ids[t]}), p, probe.predict(x)));
        }
        return scores;
    }
}

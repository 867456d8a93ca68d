package phiscope.probes.linear;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
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
        float[][] activation = new float[1][];
        Hooks hooks = phi.newHooks();
        hooks.observe(point, a -> activation[0] = a.copy());
        phi.model().forward(ids, hooks, PhiModel.Logits.NONE);
        return score(probe, ids, activation[0], id -> phi.decode(new int[] {id}));
    }

    /**
     * The scores from the probe's hook activation of {@code ids}, already captured: {@code
     * activation} is the {@code [T, ...]} tensor, row-major, one row of the probe's features per token.
     */
    public static List<TokenScore> score(LinearProbe probe, int[] ids, float[] activation, IntFunction<String> tokenText) {
        if (ids.length == 0 || activation.length != ids.length * probe.features()) {
            throw new IllegalArgumentException("the probe on " + probe.hook() + " reads " + probe.features() + " features per token; "
                    + "the activation has " + activation.length + " values for " + ids.length + " tokens");
        }
        int width = probe.features();
        List<TokenScore> scores = new ArrayList<>();
        float[] running = new float[width];
        for (int t = 0; t < ids.length; t++) {
            float[] x = Arrays.copyOfRange(activation, t * width, (t + 1) * width);
            if (probe.pooling() == Pooling.MEAN) {
                for (int j = 0; j < width; j++) {
                    running[j] += (x[j] - running[j]) / (t + 1);
                }
                x = running.clone();
            }
            double[] p = probe.probabilities(x);
            scores.add(new TokenScore(t, ids[t], tokenText.apply(ids[t]), p, probe.predict(x)));
        }
        return scores;
    }
}

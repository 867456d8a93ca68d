package phiscope.engine.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits: greedy at temperature 0, otherwise softmax sampling at a
 * temperature with optional top-k and top-p (nucleus) filtering, seeded for reproducibility.
 * Ids at or above {@code vocabularyLimit} (padding rows of the embedding) are never chosen.
 */
public final class Sampler {

    /** Sampling settings; {@code topK <= 0} and {@code topP >= 1} disable those filters. */
    public record Settings(double temperature, int topK, double topP, long seed) {
        public static final Settings GREEDY = new Settings(0, 0, 1, 0);

        public Settings {
            if (!(temperature >= 0) || Double.isInfinite(temperature)) {
                throw new IllegalArgumentException("temperature must be a finite number >= 0, not " + temperature);
            }
            if (!(topP > 0 && topP <= 1)) {
                throw new IllegalArgumentException("top-p must be in (0, 1], not " + topP);
            }
            if (topK < 0) {
                throw new IllegalArgumentException("top-k must be >= 0 (0 = off), not " + topK);
            }
        }

        public boolean greedy() {
            return temperature == 0;
        }
    }

    private final Settings settings;
    private final int vocabularyLimit;
    private final SplittableRandom random;

    public Sampler(Settings settings, int vocabularyLimit) {
        this.settings = settings;
        this.vocabularyLimit = vocabularyLimit;
        this.random = new SplittableRandom(settings.seed());
    }

    public int next(float[] logits) {
        int n = Math.min(vocabularyLimit, logits.length);
        if (settings.greedy()) {
            return argmax(logits, 0, n);
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        int keep = settings.topK() > 0 ? Math.min(settings.topK(), n) : n;
        double max = logits[order[0]];
        double[] weights = new double[keep];
        double total = 0;
        for (int i = 0; i < keep; i++) {
            weights[i] = Math.exp((logits[order[i]] - max) / settings.temperature());
            total += weights[i];
        }
        if (settings.topP() < 1) {
            double cumulative = 0;
            for (int i = 0; i < keep; i++) {
                cumulative += weights[i] / total;
                if (cumulative >= settings.topP()) {
                    keep = i + 1;
                    break;
                }
            }
            total = 0;
            for (int i = 0; i < keep; i++) {
                total += weights[i];
            }
        }
        double target = random.nextDouble() * total;
        for (int i = 0; i < keep; i++) {
            target -= weights[i];
            if (target < 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }

    /** Where the largest value of {@code x[from .. to)} first occurs, counted from {@code from}. */
    public static int argmax(float[] x, int from, int to) {
        int best = from;
        for (int i = from + 1; i < to; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best - from;
    }
}

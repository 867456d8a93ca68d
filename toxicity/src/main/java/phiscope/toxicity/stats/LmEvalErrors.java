package phiscope.toxicity.stats;

import java.util.SplittableRandom;

/** Standard errors as lm-evaluation-harness reports them beside each metric. */
public final class LmEvalErrors {

    /** lm-eval's {@code bootstrap_iters} default. */
    public static final int BOOTSTRAP_RESAMPLES = 100_000;

    private LmEvalErrors() {
    }

    /**
     * lm-eval's {@code mean_stderr}: the sample standard deviation (n - 1) over sqrt(n); NaN for
     * fewer than two values.
     */
    public static double ofMean(double[] values) {
        return sampleStandardDeviation(values) / Math.sqrt(values.length);
    }

    /**
     * lm-eval's error of a perplexity, {@code exp(-mean(logLikelihoods))}: the sample standard
     * deviation of the perplexities of {@code resamples} bootstrap resamples (drawn with
     * replacement, seeded, so the same numbers give the same error; lm-eval's draws come from
     * Python's generator, so its last digits differ).
     */
    public static double ofPerplexity(double[] logLikelihoods, int resamples, long seed) {
        int n = logLikelihoods.length;
        if (n == 0) return Double.NaN;
        SplittableRandom random = new SplittableRandom(seed);
        double[] perplexities = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            double sum = 0;
            for (int i = 0; i < n; i++) sum += logLikelihoods[random.nextInt(n)];
            perplexities[r] = Math.exp(-sum / n);
        }
        return sampleStandardDeviation(perplexities);
    }

    private static double sampleStandardDeviation(double[] values) {
        int n = values.length;
        if (n < 2) return Double.NaN;
        double mean = 0;
        for (double v : values) mean += v;
        mean /= n;
        double squares = 0;
        for (double v : values) squares += (v - mean) * (v - mean);
        return Math.sqrt(squares / (n - 1));
    }
}

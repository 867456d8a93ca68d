package phiscope.toxicity.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How a metric moved from a baseline run to an edited model's run: edited − baseline with a 95%
 * confidence interval. Paired when both runs scored the same items, so that what the items share
 * (an easy question is easy for both models) cancels out; otherwise the two runs are independent
 * samples.
 * <ul>
 *   <li>{@link Sample.Mean}, paired: the normal interval of the mean per-item difference,
 *       mean(d) ± z sd(d) / sqrt(n) over the items both count; unpaired: the difference of the
 *       means ± z sqrt(se_b² + se_e²), each se as lm-eval's (sd with n − 1, over sqrt(n)).</li>
 *   <li>{@link Sample.Statistic}: a percentile bootstrap of {@value #RESAMPLES} resamples with a
 *       fixed seed, so a report is reproducible. Paired, each resample draws items once and
 *       counts them in both runs; unpaired, each run is resampled on its own. Resamples where
 *       the statistic is undefined are left out. A statistic such as
 *       a Mann-Whitney AUC has no simple standard error of its paired difference, and the paired
 *       bootstrap needs none.</li>
 * </ul>
 *
 * @param low  lower end of the 95% interval of {@code difference}; NaN when it cannot be had
 * @param high upper end
 */
public record Difference(double baseline, double edited, double difference, double low, double high, Method method) {

    public static final int RESAMPLES = 2000;
    public static final long SEED = 1234;
    /** The standard normal's 97.5% quantile. */
    static final double Z_95 = 1.959963984540054;

    /** How the interval was had; its label says so in the report's table. */
    public enum Method {
        PAIRED_NORMAL("paired normal"), UNPAIRED_NORMAL("unpaired normal"),
        PAIRED_BOOTSTRAP("paired bootstrap"), UNPAIRED_BOOTSTRAP("unpaired bootstrap");

        private final String label;

        Method(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        public boolean paired() {
            return this == PAIRED_NORMAL || this == PAIRED_BOOTSTRAP;
        }
    }

    /** Whether the interval excludes 0: the edit changed the metric at the 5% level. */
    public boolean significant() {
        return low > 0 || high < 0;
    }

    /**
     * The differences of each metric of a pair of runs, in order. The statistics share their
     * bootstrap resamples: one draw of the items per resample, every statistic computed on it.
     *
     * @param paired whether item i of one run is item i of the other (same dataset, same
     *               selection); the caller checks, and the runs must then have as many items
     */
    public static List<Difference> between(List<Sample> baseline, List<Sample> edited, boolean paired) {
        if (baseline.size() != edited.size()) {
            throw new IllegalArgumentException(baseline.size() + " baseline metrics against " + edited.size() + " edited ones");
        }
        Difference[] differences = new Difference[baseline.size()];
        List<Integer> statistics = new ArrayList<>();
        for (int k = 0; k < differences.length; k++) {
            Sample e = edited.get(k);
            switch (baseline.get(k)) {
                case Sample.Mean b when e instanceof Sample.Mean m -> differences[k] = paired ? pairedMeans(b, m) : unpairedMeans(b, m);
                case Sample.Statistic b when e instanceof Sample.Statistic -> statistics.add(k);
                default -> throw new IllegalArgumentException("metric " + k + " is not the same kind of sample in both runs");
            }
        }
        if (!statistics.isEmpty()) bootstrap(baseline, edited, statistics, paired, differences);
        return List.of(differences);
    }

    private static Difference pairedMeans(Sample.Mean baseline, Sample.Mean edited) {
        double[] b = baseline.values();
        double[] e = edited.values();
        requireSameItems(b.length, e.length);
        // Items both runs count: a slice is the same items in both, an unscored item drops out of the pair.
        double[] d = new double[b.length];
        int n = 0;
        for (int i = 0; i < b.length; i++) {
            if (!Double.isNaN(b[i]) && !Double.isNaN(e[i])) d[n++] = e[i] - b[i];
        }
        d = Arrays.copyOf(d, n);
        double mean = mean(d);
        double half = Z_95 * LmEvalErrors.ofMean(d);
        return new Difference(baseline.estimate(), edited.estimate(), mean, mean - half, mean + half, Method.PAIRED_NORMAL);
    }

    private static Difference unpairedMeans(Sample.Mean baseline, Sample.Mean edited) {
        double[] b = counted(baseline.values());
        double[] e = counted(edited.values());
        double difference = mean(e) - mean(b);
        double seB = LmEvalErrors.ofMean(b);
        double seE = LmEvalErrors.ofMean(e);
        double half = Z_95 * Math.sqrt(seB * seB + seE * seE);
        return new Difference(mean(b), mean(e), difference, difference - half, difference + half, Method.UNPAIRED_NORMAL);
    }

    /** Fills {@code differences} at the positions of the statistics with their percentile bootstrap intervals. */
    private static void bootstrap(List<Sample> baseline, List<Sample> edited, List<Integer> statistics, boolean paired,
                                  Difference[] differences) {
        int itemsB = items(baseline, statistics);
        int itemsE = items(edited, statistics);
        if (paired) requireSameItems(itemsB, itemsE);
        SplittableRandom random = new SplittableRandom(SEED);
        double[][] resampled = new double[statistics.size()][RESAMPLES];
        int[] kept = new int[statistics.size()];
        for (int r = 0; r < RESAMPLES; r++) {
            int[] countsB = resample(itemsB, random);
            int[] countsE = paired ? countsB : resample(itemsE, random);
            for (int s = 0; s < statistics.size(); s++) {
                int k = statistics.get(s);
                double d = ((Sample.Statistic) edited.get(k)).weighted().applyAsDouble(countsE)
                        - ((Sample.Statistic) baseline.get(k)).weighted().applyAsDouble(countsB);
                // A resample can leave a side empty (no hateful sentence of a small group): it has no value to count.
                if (!Double.isNaN(d)) resampled[s][kept[s]++] = d;
            }
        }
        for (int s = 0; s < statistics.size(); s++) {
            int k = statistics.get(s);
            double estimateB = baseline.get(k).estimate();
            double estimateE = edited.get(k).estimate();
            double low = Double.NaN;
            double high = Double.NaN;
            if (kept[s] >= RESAMPLES / 2) {
                double[] sorted = Arrays.copyOf(resampled[s], kept[s]);
                Arrays.sort(sorted);
                low = quantile(sorted, 0.025);
                high = quantile(sorted, 0.975);
            }
            differences[k] = new Difference(estimateB, estimateE, estimateE - estimateB, low, high,
                    paired ? Method.PAIRED_BOOTSTRAP : Method.UNPAIRED_BOOTSTRAP);
        }
    }

    /** The number of items of a run, which all its statistics share. */
    private static int items(List<Sample> run, List<Integer> statistics) {
        int items = ((Sample.Statistic) run.get(statistics.getFirst())).items();
        for (int k : statistics) {
            if (((Sample.Statistic) run.get(k)).items() != items) throw new IllegalArgumentException("the statistics of one run differ in items");
        }
        return items;
    }

    /** How often each of {@code n} items is drawn in n draws with replacement. */
    private static int[] resample(int n, SplittableRandom random) {
        int[] counts = new int[n];
        for (int i = 0; i < n; i++) counts[random.nextInt(n)]++;
        return counts;
    }

    /** numpy's default (linear) quantile of sorted values. */
    static double quantile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int below = (int) Math.floor(h);
        int above = Math.min(sorted.length - 1, below + 1);
        return sorted[below] + (h - below) * (sorted[above] - sorted[below]);
    }

    private static void requireSameItems(int baselineItems, int editedItems) {
        if (baselineItems != editedItems) {
            throw new IllegalArgumentException("paired samples need the same items, not " + baselineItems + " and " + editedItems);
        }
    }

    private static double[] counted(double[] values) {
        return Arrays.stream(values).filter(v -> !Double.isNaN(v)).toArray();
    }

    private static double mean(double[] values) {
        return values.length == 0 ? Double.NaN : Arrays.stream(values).sum() / values.length;
    }
}

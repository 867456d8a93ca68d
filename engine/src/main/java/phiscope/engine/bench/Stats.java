package phiscope.engine.bench;

import java.util.Arrays;

/** The median and spread of repeated measurements. */
public record Stats(double median, double min, double max, int count) {

    public static Stats of(double... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no measurements");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Stats(median, sorted[0], sorted[n - 1], n);
    }

    /** The spread as a fraction of the median: (max - min) / median. */
    public double spread() {
        return median == 0 ? 0 : (max - min) / median;
    }
}

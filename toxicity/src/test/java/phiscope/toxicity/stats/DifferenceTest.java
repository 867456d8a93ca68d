package phiscope.toxicity.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DifferenceTest {

    private static final double Z = 1.959963984540054;

    private static Difference means(double[] baseline, double[] edited, boolean paired) {
        return Difference.between(List.of(new Sample.Mean(baseline)), List.of(new Sample.Mean(edited)), paired).getFirst();
    }

    private static double[] ones(int ones, int zeros) {
        double[] values = new double[ones + zeros];
        Arrays.fill(values, 0, ones, 1);
        return values;
    }

    @Test
    void aPairedDifferenceWhoseIntervalExcludesZero() {
        // d = eight 1s and two 0s: mean 0.8, sd^2 = (8 * 0.2^2 + 2 * 0.8^2) / 9 = 1.6 / 9, se = sqrt(1.6 / 90) = 2/15.
        Difference d = means(new double[10], ones(8, 2), true);
        assertEquals(0.8, d.difference(), 1e-15);
        assertEquals(0.8 - Z * 2 / 15, d.low(), 1e-12);   // 0.53867
        assertEquals(0.8 + Z * 2 / 15, d.high(), 1e-12);  // 1.06133
        assertEquals(0.0, d.baseline());
        assertEquals(0.8, d.edited(), 1e-15);
        assertTrue(d.significant());
        assertEquals(Difference.Method.PAIRED_NORMAL, d.method());
    }

    @Test
    void aPairedDifferenceWhoseIntervalIncludesZero() {
        // d = 1, -1, 1, -1, 1, 0 x 5: mean 0.1, sum of squares about it 3 * 0.81 + 2 * 1.21 + 5 * 0.01 = 4.9,
        // se = sqrt(4.9 / 9 / 10) = 7/30.
        double[] baseline = {0, 1, 0, 1, 0, 0, 0, 0, 0, 0};
        double[] edited = {1, 0, 1, 0, 1, 0, 0, 0, 0, 0};
        Difference d = means(baseline, edited, true);
        assertEquals(0.1, d.difference(), 1e-15);
        assertEquals(0.1 - Z * 7 / 30, d.low(), 1e-12);   // -0.35732
        assertEquals(0.1 + Z * 7 / 30, d.high(), 1e-12);  // 0.55732
        assertFalse(d.significant());
    }

    @Test
    void pairingTheSameItemsNarrowsTheIntervalOfTheSameMeans() {
        // 20 items, 10 right for the baseline; the edited model gets 5 more right and none wrong that were right.
        double[] baseline = ones(10, 10);
        double[] edited = ones(15, 5);
        // Paired: d is five 1s and fifteen 0s, sum of squares 5 * 0.75^2 + 15 * 0.25^2 = 3.75, se = sqrt(3.75 / 19 / 20).
        Difference paired = means(baseline, edited, true);
        assertEquals(0.25, paired.difference(), 1e-15);
        assertEquals(0.25 - Z * Math.sqrt(3.75 / 380), paired.low(), 1e-12);  // 0.0553
        assertEquals(0.25 + Z * Math.sqrt(3.75 / 380), paired.high(), 1e-12); // 0.4447
        assertTrue(paired.significant());
        // Unpaired: se_b^2 = (20 * 0.25 / 19) / 20 = 5 / 380, se_e^2 = 3.75 / 380, so se = sqrt(8.75 / 380).
        Difference unpaired = means(baseline, edited, false);
        assertEquals(0.25, unpaired.difference(), 1e-15);
        assertEquals(0.25 - Z * Math.sqrt(8.75 / 380), unpaired.low(), 1e-12);  // -0.0474
        assertEquals(0.25 + Z * Math.sqrt(8.75 / 380), unpaired.high(), 1e-12); // 0.5474
        assertFalse(unpaired.significant(), "the same means without the pairing are not significantly apart");
        assertEquals(Difference.Method.UNPAIRED_NORMAL, unpaired.method());
    }

    @Test
    void itemsEitherRunDoesNotCountAreLeftOutOfThePairs() {
        double nan = Double.NaN;
        // Only items 0, 1 and 4 count in both: d = 1, 0, 1, mean 2/3, sd^2 = (2 * (1/3)^2 + (2/3)^2) / 2 = 1/3.
        Difference d = means(new double[] {0, 1, nan, 0, 0}, new double[] {1, 1, 1, nan, 1}, true);
        assertEquals(2.0 / 3, d.difference(), 1e-15);
        assertEquals(2.0 / 3 - Z * Math.sqrt(1.0 / 3 / 3), d.low(), 1e-12);
        assertEquals(0.25, d.baseline(), 1e-15, "each run's own estimate counts its own items");
        assertEquals(1.0, d.edited(), 1e-15);
    }

    /** The mean of the values, each item counted as often as the resample says. */
    private static Sample.Statistic weightedMean(double[] values) {
        return new Sample.Statistic(values.length, values.length, counts -> {
            double sum = 0;
            double n = 0;
            for (int i = 0; i < values.length; i++) {
                sum += counts[i] * values[i];
                n += counts[i];
            }
            return sum / n;
        });
    }

    @Test
    void thePairedBootstrapCancelsWhatTheItemsShareAndTheUnpairedOneCannot() {
        // Items 0..99, and the edited model adds exactly 1 to each: in every paired resample the difference is 1.
        double[] baseline = IntStream.range(0, 100).asDoubleStream().toArray();
        double[] edited = Arrays.stream(baseline).map(v -> v + 1).toArray();
        Difference paired = Difference.between(List.of(weightedMean(baseline)), List.of(weightedMean(edited)), true).getFirst();
        assertEquals(1.0, paired.difference(), 1e-12);
        assertEquals(1.0, paired.low(), 1e-12);
        assertEquals(1.0, paired.high(), 1e-12);
        assertTrue(paired.significant());
        assertEquals(Difference.Method.PAIRED_BOOTSTRAP, paired.method());
        // Unpaired, the items' own spread counts twice: the variance of 0..99 is 833.25, so the interval is about
        // 1 ± 1.96 sqrt(2 * 833.25 / 100) = 1 ± 8.0, and a 2000-resample bootstrap finds it within a few tenths.
        Difference unpaired = Difference.between(List.of(weightedMean(baseline)), List.of(weightedMean(edited)), false).getFirst();
        double half = Z * Math.sqrt(2 * 833.25 / 100);
        assertEquals(1 - half, unpaired.low(), 0.6);
        assertEquals(1 + half, unpaired.high(), 0.6);
        assertFalse(unpaired.significant());
    }

    @Test
    void identicalRunsDifferByExactlyNothing() {
        double[] values = {0.3, 0.9, 0.1, 0.7, 0.5};
        List<Difference> same = Difference.between(List.of(weightedMean(values), new Sample.Mean(values)),
                List.of(weightedMean(values), new Sample.Mean(values)), true);
        for (Difference d : same) {
            assertEquals(0.0, d.difference());
            assertEquals(0.0, d.low());
            assertEquals(0.0, d.high());
            assertFalse(d.significant());
        }
    }

    @Test
    void aBootstrapIsTheSameEveryTime() {
        double[] baseline = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3};
        double[] edited = {2, 7, 1, 8, 2, 8, 1, 8, 2, 8};
        Difference first = Difference.between(List.of(weightedMean(baseline)), List.of(weightedMean(edited)), true).getFirst();
        Difference second = Difference.between(List.of(weightedMean(baseline)), List.of(weightedMean(edited)), true).getFirst();
        assertEquals(first, second);
    }

    @Test
    void quantilesInterpolateAsNumpy() {
        double[] sorted = {1, 2, 3, 4};
        assertEquals(1.075, Difference.quantile(sorted, 0.025), 1e-12); // h = 3 * 0.025 = 0.075
        assertEquals(3.925, Difference.quantile(sorted, 0.975), 1e-12);
    }
}

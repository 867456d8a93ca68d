package phiscope.toxicity.stats;

import java.util.Arrays;
import java.util.function.ToDoubleFunction;

/**
 * One run's metric in a form {@link Difference} can compare: either a mean of per-item values,
 * whose difference has a normal interval, or any other statistic of the items, given as a
 * function of how often each item counts, so that it can be bootstrapped.
 */
public sealed interface Sample {

    /** The metric on the run as it is (every item counted once). */
    double estimate();

    /** How many items the metric counts. */
    int counted();

    /**
     * A mean of one value per item (accuracy from 0/1 items, the share of pairs that prefer the
     * stereotype); NaN marks an item the metric does not count (outside its slice, unscored).
     */
    record Mean(double[] values) implements Sample {

        public Mean {
            values = values.clone();
        }

        @Override
        public double estimate() {
            return Arrays.stream(values).filter(v -> !Double.isNaN(v)).average().orElse(Double.NaN);
        }

        @Override
        public int counted() {
            return (int) Arrays.stream(values).filter(v -> !Double.isNaN(v)).count();
        }
    }

    /**
     * A statistic that is not a mean of items (a Mann-Whitney AUC, a bias score, a gap between
     * two accuracies, a perplexity).
     *
     * @param items    the run's items, each an index into the counts
     * @param counted  how many of them the statistic uses (a group's sentences, a condition's questions)
     * @param weighted the statistic when item i counts {@code counts[i]} times; NaN when undefined
     *                 (a side with no items)
     */
    record Statistic(int items, int counted, ToDoubleFunction<int[]> weighted) implements Sample {

        @Override
        public double estimate() {
            int[] once = new int[items];
            Arrays.fill(once, 1);
            return weighted.applyAsDouble(once);
        }

    }
}

package phiscope.engine.bench;

import java.util.Arrays;
import java.util.List;

/** Repeated measurements of one quantity: their median and spread. */
public record Stats(List<Double> values) {

    public Stats {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no measurements");
        }
        values = values.stream().sorted().toList();
    }

    public static Stats of(double... values) {
        return new Stats(Arrays.stream(values).boxed().toList());
    }

    public double median() {
        int n = values.size();
        return n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }

    public double min() {
        return values.getFirst();
    }

    public double max() {
        return values.getLast();
    }

    public int count() {
        return values.size();
    }

    /** The spread as a fraction of the median: (max - min) / median. */
    public double spread() {
        double median = median();
        return median == 0 ? 0 : (max() - min()) / median;
    }
}

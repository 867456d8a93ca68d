package phiscope.probes.steering;

import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import phiscope.engine.Phi;
import phiscope.engine.model.Generator;
import phiscope.engine.model.Sampler;
import phiscope.probes.Progress;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Steered generation next to the baseline, and sweeps of a behaviour metric over layers and coefficients. */
public final class Steering {

    /** A prompt's greedy continuation without and with the vector. */
    public record Comparison(String prompt, double coefficient, String baseline, String steered) {
    }

    private Steering() {
    }

    public static Comparison compare(Phi phi, SteeringVector vector, double coefficient, String prompt, int maxTokens,
                                     Sampler.Settings settings) {
        int[] ids = phi.encode(prompt);
        Generator.Result baseline = phi.generate(ids, maxTokens, settings, id -> true);
        Generator.Result steered = phi.generate(ids, maxTokens, settings, vector.addTo(phi.newHooks(), coefficient), id -> true);
        return new Comparison(prompt, coefficient, phi.decode(baseline.tokens()), phi.decode(steered.tokens()));
    }

    public static Table comparisons(List<Comparison> comparisons) {
        Table table = Table.create("baseline and steered continuations", StringColumn.create("prompt"),
                DoubleColumn.create("coefficient"), StringColumn.create("baseline"), StringColumn.create("steered"));
        for (Comparison c : comparisons) {
            table.stringColumn("prompt").append(visible(c.prompt()));
            table.doubleColumn("coefficient").append(c.coefficient());
            table.stringColumn("baseline").append(visible(c.baseline()));
            table.stringColumn("steered").append(visible(c.steered()));
        }
        return table;
    }

    /** Newlines and tabs shown as escapes, so a continuation stays on one table row. */
    public static String visible(String text) {
        return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t");
    }

    /**
     * The behaviour metric for every layer x coefficient, with the vector of each layer from
     * {@code vectorAt}; columns layer, hook, coefficient, metric, change (from the unsteered metric).
     */
    public static Table sweep(Phi phi, int[] layers, IntFunction<SteeringVector> vectorAt, double[] coefficients,
                              BehaviourMetric metric, Progress progress) {
        double baseline = metric.measure(phi, phi.newHooks());
        Table table = Table.create("steering sweep (unsteered metric " + String.format(Locale.ROOT, "%.4f", baseline) + ")",
                IntColumn.create("layer"), StringColumn.create("hook"), DoubleColumn.create("coefficient"),
                DoubleColumn.create("metric"), DoubleColumn.create("change"));
        int done = 0;
        for (int layer : layers) {
            SteeringVector vector = vectorAt.apply(layer);
            for (double coefficient : coefficients) {
                double value = coefficient == 0 ? baseline : metric.measure(phi, vector.addTo(phi.newHooks(), coefficient));
                table.intColumn("layer").append(layer);
                table.stringColumn("hook").append(vector.hook());
                table.doubleColumn("coefficient").append(coefficient);
                table.doubleColumn("metric").append(Math.round(value * 10000) / 10000.0);
                table.doubleColumn("change").append(Math.round((value - baseline) * 10000) / 10000.0);
                progress.advance("layer " + layer + " x " + coefficient, ++done, layers.length * coefficients.length);
            }
        }
        return table;
    }
}

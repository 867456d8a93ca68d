package phiscope.toxicity.report;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A bar chart of a report, written as {@code fileName} in the run folder.
 *
 * @param scale          the value axis, fixed to the measure's whole range so that small
 *                       effects look small; empty to fit the bars
 * @param reference      a horizontal line such as the unbiased value (50% or 0), if any
 * @param referenceLabel what the line means
 * @param mutedMeaning   what a grey bar means, for the legend note; empty when no bar is muted
 */
public record BarChart(String fileName, String title, String valueAxisLabel, List<Bar> bars, Optional<Scale> scale,
                       OptionalDouble reference, String referenceLabel, String mutedMeaning) {

    /** The value axis from {@code low} to {@code high}. */
    public record Scale(double low, double high) {
    }

    public BarChart {
        bars = List.copyOf(bars);
    }
}

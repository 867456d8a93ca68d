package phiscope.toxicity.report;

/**
 * One bar of a chart.
 *
 * @param category where the bar stands (a group, a bias type)
 * @param series   which of several bars per category it is (one series: the chart's value name)
 * @param muted    drawn grey, e.g. a group whose test is not significant
 */
public record Bar(String category, String series, double value, boolean muted) {
}

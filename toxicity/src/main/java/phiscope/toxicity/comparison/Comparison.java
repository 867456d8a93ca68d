package phiscope.toxicity.comparison;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import phiscope.toxicity.ReproducibleJson;
import phiscope.toxicity.run.RunRefusedException;
import phiscope.toxicity.stats.Difference;
import phiscope.toxicity.stats.Sample;

/**
 * A baseline model against one or more edited models, benchmark by benchmark: every metric of
 * each run, and per edited model its difference from the baseline with a 95% interval, paired
 * over items when both runs scored the same items.
 *
 * @param notes what a reader must know about the rows, e.g. why two runs were not paired
 */
public record Comparison(Model baseline, List<Model> edited, List<Row> rows, List<String> notes) {

    /** A model and its runs, one per benchmark, in the order given. */
    public record Model(String label, Map<String, ComparedRun> runs) {
    }

    /**
     * One metric of one edited model against the baseline.
     *
     * @param slice      the part of the items (a group, a bias type, "all")
     * @param model      the edited model's label
     * @param counted    items the metric counts in the baseline's and the edited model's run
     * @param proportion whether the chart draws it in percent
     * @param charted    whether the chart shows it
     */
    public record Row(String benchmark, String metric, String slice, String model, Difference difference, int countedBaseline,
                      int countedEdited, boolean proportion, boolean charted) {
    }

    public Comparison {
        edited = List.copyOf(edited);
        rows = List.copyOf(rows);
        notes = List.copyOf(notes);
    }

    /** Compares the runs; refuses runs that do not fit together, naming them. */
    public static Comparison of(List<ComparedRun> baselineRuns, List<ComparedRun> editedRuns) {
        if (baselineRuns.isEmpty() || editedRuns.isEmpty()) {
            throw new RunRefusedException("a report needs at least one baseline run and one edited run");
        }
        ComparedRun first = baselineRuns.getFirst();
        for (ComparedRun run : baselineRuns) {
            if (!run.modelKey().equals(first.modelKey())) {
                throw new RunRefusedException("the baseline runs are of different models: " + first.name() + " of " + first.label()
                        + ", " + run.name() + " of " + run.label() + "; the baseline is one model");
            }
        }
        Model baseline = new Model(first.label(), byBenchmark(baselineRuns, "baseline"));
        Map<String, List<ComparedRun>> editedByModel = new LinkedHashMap<>();
        editedRuns.forEach(run -> editedByModel.computeIfAbsent(run.modelKey(), k -> new ArrayList<>()).add(run));
        List<Model> edited = new ArrayList<>();
        for (List<ComparedRun> runs : editedByModel.values()) {
            String label = runs.getFirst().label();
            // Two runs of one model without a recorded edit look alike; the table must still tell them apart.
            if (runs.getFirst().modelKey().equals(first.modelKey()) || label.equals(baseline.label())) {
                label += " (edited)";
            }
            edited.add(new Model(label, byBenchmark(runs, "edited model " + label)));
        }
        for (Model model : edited) {
            for (ComparedRun run : model.runs().values()) {
                if (!baseline.runs().containsKey(run.benchmark())) {
                    throw new RunRefusedException(run.name() + " is a " + run.benchmark() + " run, and no baseline run is: "
                            + "add the baseline's " + run.benchmark() + " run to the baseline runs, or leave " + run.name() + " out");
                }
            }
            for (ComparedRun run : baseline.runs().values()) {
                if (!model.runs().containsKey(run.benchmark())) {
                    throw new RunRefusedException("the edited model " + model.label() + " has no " + run.benchmark() + " run, and the "
                            + "baseline has " + run.name() + ": add the edited model's " + run.benchmark() + " run, or leave "
                            + run.name() + " out");
                }
            }
        }

        List<Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (ComparedRun base : baseline.runs().values()) {
            List<RunMetrics.Metric> baseMetrics = RunMetrics.of(base);
            List<List<RunMetrics.Metric>> editedMetrics = new ArrayList<>();
            List<List<Difference>> differences = new ArrayList<>();
            for (Model model : edited) {
                ComparedRun run = model.runs().get(base.benchmark());
                List<RunMetrics.Metric> metrics = aligned(baseMetrics, RunMetrics.of(run), run.results().size());
                String unpaired = whyUnpaired(base, run);
                if (unpaired != null) {
                    notes.add(base.benchmark() + ", " + model.label() + ": unpaired (independent samples), because " + unpaired);
                }
                editedMetrics.add(metrics);
                differences.add(Difference.between(baseMetrics.stream().map(RunMetrics.Metric::sample).toList(),
                        metrics.stream().map(RunMetrics.Metric::sample).toList(), unpaired == null));
            }
            // Metric by metric, each edited model beside the others.
            for (int k = 0; k < baseMetrics.size(); k++) {
                RunMetrics.Metric metric = baseMetrics.get(k);
                for (int m = 0; m < edited.size(); m++) {
                    rows.add(new Row(base.benchmark(), metric.name(), metric.slice(), edited.get(m).label(), differences.get(m).get(k),
                            metric.sample().counted(), editedMetrics.get(m).get(k).sample().counted(), metric.proportion(), metric.charted()));
                }
            }
        }
        return new Comparison(baseline, edited, rows, notes);
    }

    private static Map<String, ComparedRun> byBenchmark(List<ComparedRun> runs, String whose) {
        Map<String, ComparedRun> byBenchmark = new LinkedHashMap<>();
        for (ComparedRun run : runs) {
            ComparedRun twin = byBenchmark.putIfAbsent(run.benchmark(), run);
            if (twin != null) {
                throw new RunRefusedException(twin.name() + " and " + run.name() + " are both " + run.benchmark() + " runs of the "
                        + whose + "; give one run per benchmark and model");
            }
        }
        return byBenchmark;
    }

    /**
     * The edited run's metrics in the baseline's order. Slices present in only one run (a group
     * whose sentences were all skipped) have nothing to compare: the runs then differ in items, and
     * the baseline's slices are the table's rows.
     */
    private static List<RunMetrics.Metric> aligned(List<RunMetrics.Metric> baseline, List<RunMetrics.Metric> edited, int items) {
        Map<String, RunMetrics.Metric> byName = new LinkedHashMap<>();
        edited.forEach(m -> byName.put(m.name() + "\u0000" + m.slice(), m));
        List<RunMetrics.Metric> aligned = new ArrayList<>();
        for (RunMetrics.Metric metric : baseline) {
            RunMetrics.Metric twin = byName.get(metric.name() + "\u0000" + metric.slice());
            aligned.add(twin != null ? twin : new RunMetrics.Metric(metric.name(), metric.slice(), empty(metric.sample(), items),
                    metric.proportion(), metric.charted()));
        }
        return aligned;
    }

    /** A sample of the same kind that counts none of a run's {@code items}: its estimate is NaN. */
    private static Sample empty(Sample kind, int items) {
        double[] none = new double[items];
        Arrays.fill(none, Double.NaN);
        return kind instanceof Sample.Mean ? new Sample.Mean(none) : new Sample.Statistic(items, 0, counts -> Double.NaN);
    }

    /**
     * Null when item i of one run is item i of the other: the same dataset (by checksum), the
     * same settings but for the batch size, and the same items by their place in the dataset;
     * otherwise why not, for the table's notes.
     */
    static String whyUnpaired(ComparedRun baseline, ComparedRun edited) {
        if (!baseline.manifest().dataset().sha256().equals(edited.manifest().dataset().sha256())) {
            return "the datasets differ (sha256 " + baseline.manifest().dataset().sha256() + " and " + edited.manifest().dataset().sha256() + ")";
        }
        // The batch size says how items are packed, never which items there are.
        ObjectNode baseSettings = withoutBatchSize(baseline.manifest().settings());
        ObjectNode editedSettings = withoutBatchSize(edited.manifest().settings());
        if (!baseSettings.equals(editedSettings)) {
            return "the settings differ (" + baseSettings + " and " + editedSettings + ")";
        }
        if (baseline.results().size() != edited.results().size()) {
            return "the runs hold " + baseline.results().size() + " and " + edited.results().size() + " items";
        }
        for (int i = 0; i < baseline.results().size(); i++) {
            JsonNode b = baseline.results().get(i);
            JsonNode e = edited.results().get(i);
            for (String field : List.of("file", "line", "id")) {
                if (!Objects.equals(b.get(field), e.get(field))) {
                    return "item " + i + " is " + field + " " + b.get(field) + " in one run and " + e.get(field) + " in the other";
                }
            }
        }
        return null;
    }

    private static ObjectNode withoutBatchSize(JsonNode settings) {
        ObjectNode copy = settings.isObject() ? ((ObjectNode) settings).deepCopy() : ReproducibleJson.object();
        copy.remove("batch_size");
        return copy;
    }
}

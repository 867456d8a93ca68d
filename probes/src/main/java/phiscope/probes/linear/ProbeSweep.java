package phiscope.probes.linear;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import phiscope.engine.Phi;
import phiscope.engine.hooks.HookPoint;
import phiscope.probes.ActivationCollector;
import phiscope.probes.Pooling;
import phiscope.probes.Progress;
import phiscope.probes.data.ProbingDataset;
import phiscope.probes.io.ProbesJson;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Trains one probe per hook point on the training split and scores it on the held-out split. */
public final class ProbeSweep {

    /** One hook's figures; {@code layer} is -1 for global hooks. AUROC is macro one-vs-rest for several classes. */
    public record Row(String hook, int layer, double trainAccuracy, double accuracy, double auroc, int trainCount, int testCount) {
    }

    /** All rows, and the trained probes by hook name. */
    public record Result(List<Row> rows, Map<String, LinearProbe> probes, ProbeKind kind, Pooling pooling) {

        /** The row with the best held-out accuracy (then AUROC). */
        public Row best() {
            Row best = rows.getFirst();
            for (Row row : rows) {
                if (row.accuracy() > best.accuracy() || (row.accuracy() == best.accuracy() && row.auroc() > best.auroc())) {
                    best = row;
                }
            }
            return best;
        }

        public Table table() {
            Table table = Table.create("probe sweep (" + kind.label() + ", " + pooling.label() + " token)",
                    StringColumn.create("hook"), IntColumn.create("layer"), DoubleColumn.create("train_accuracy"),
                    DoubleColumn.create("accuracy"), DoubleColumn.create("auroc"), IntColumn.create("train"), IntColumn.create("test"));
            for (Row row : rows) {
                table.stringColumn("hook").append(row.hook());
                table.intColumn("layer").append(row.layer());
                table.doubleColumn("train_accuracy").append(round(row.trainAccuracy()));
                table.doubleColumn("accuracy").append(round(row.accuracy()));
                table.doubleColumn("auroc").append(round(row.auroc()));
                table.intColumn("train").append(row.trainCount());
                table.intColumn("test").append(row.testCount());
            }
            return table;
        }

        /** {@code {"results": [{"hook", "layer", "accuracy", "auroc", ...}], ...}} with held-out figures. */
        public ObjectNode json() {
            ObjectMapper mapper = ProbesJson.MAPPER;
            ObjectNode root = mapper.createObjectNode();
            root.put("kind", kind.label());
            root.put("pooling", pooling.label());
            var results = root.putArray("results");
            for (Row row : rows) {
                ObjectNode r = results.addObject();
                r.put("hook", row.hook());
                r.put("layer", row.layer());
                r.put("accuracy", row.accuracy());
                putNumber(r, "auroc", row.auroc());
                r.put("train_accuracy", row.trainAccuracy());
                r.put("train", row.trainCount());
                r.put("test", row.testCount());
            }
            return root;
        }

        private static void putNumber(ObjectNode node, String field, double value) {
            if (Double.isNaN(value)) {
                node.putNull(field);
            } else {
                node.put(field, value);
            }
        }

        private static double round(double v) {
            return Math.round(v * 10000) / 10000.0;
        }
    }

    private ProbeSweep() {
    }

    public static Result run(Phi phi, ProbingDataset data, ProbingDataset.Split split, List<HookPoint> points, Pooling pooling,
                             ProbeTrainer trainer, Progress progress) {
        Map<HookPoint, float[][]> features = ActivationCollector.collect(phi, data.texts(), points, pooling,
                (step, done, total) -> progress.advance("activations: " + step, done, total + points.size()));
        int[] labels = data.labels();
        List<Row> rows = new ArrayList<>();
        Map<String, LinearProbe> probes = new LinkedHashMap<>();
        int done = data.size();
        for (HookPoint point : points) {
            float[][] x = features.get(point);
            LinearProbe probe = trainer.train(point.name(), pooling, data.classes(), pick(x, split.train()), pick(labels, split.train()));
            probes.put(point.name(), probe);
            rows.add(new Row(point.name(), point.block(), accuracy(probe, x, labels, split.train()),
                    accuracy(probe, x, labels, split.test()), auroc(probe, x, labels, split.test()),
                    split.train().length, split.test().length));
            progress.advance("probe " + point.name(), ++done, data.size() + points.size());
        }
        return new Result(rows, probes, trainer.kind(), pooling);
    }

    static double accuracy(LinearProbe probe, float[][] x, int[] labels, int[] indices) {
        int[] predicted = new int[indices.length];
        int[] actual = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            predicted[i] = probe.predict(x[indices[i]]);
            actual[i] = labels[indices[i]];
        }
        return Metrics.accuracy(predicted, actual);
    }

    /** Binary: AUROC of the logit. Several classes: the mean over classes of each one-vs-rest AUROC. */
    static double auroc(LinearProbe probe, float[][] x, int[] labels, int[] indices) {
        int rows = probe.weights().length;
        double sum = 0;
        int counted = 0;
        for (int k = 0; k < rows; k++) {
            int positive = probe.binary() ? 1 : k;
            double[] scores = new double[indices.length];
            boolean[] isPositive = new boolean[indices.length];
            for (int i = 0; i < indices.length; i++) {
                scores[i] = probe.logits(x[indices[i]])[k];
                isPositive[i] = labels[indices[i]] == positive;
            }
            double a = Metrics.auroc(scores, isPositive);
            if (!Double.isNaN(a)) {
                sum += a;
                counted++;
            }
        }
        return counted == 0 ? Double.NaN : sum / counted;
    }

    private static float[][] pick(float[][] x, int[] indices) {
        float[][] out = new float[indices.length][];
        for (int i = 0; i < indices.length; i++) {
            out[i] = x[indices[i]];
        }
        return out;
    }

    private static int[] pick(int[] y, int[] indices) {
        int[] out = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            out[i] = y[indices[i]];
        }
        return out;
    }
}

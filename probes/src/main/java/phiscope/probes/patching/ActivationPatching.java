package phiscope.probes.patching;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.model.PhiModel;
import phiscope.probes.Progress;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Activation patching from a clean prompt into a corrupted one of the same length: run the
 * corrupted prompt with one clean activation pasted in, and see how much of the clean behaviour
 * returns. Scores are normalised so that 1 = the clean run's metric and 0 = the corrupted run's.
 */
public final class ActivationPatching {

    /** The sites of the layer x position sweep. */
    public static final List<HookSite> POSITION_SITES = List.of(HookSite.RESID_PRE, HookSite.ATTN_OUT, HookSite.MLP_OUT);

    private final PhiModel model;
    private final int[] clean;
    private final int[] corrupted;
    private final LogitDifference metric;
    private final ActivationCache cleanCache;
    private final double cleanMetric;
    private final double corruptedMetric;

    public ActivationPatching(PhiModel model, int[] clean, int[] corrupted, LogitDifference metric) {
        if (clean.length != corrupted.length) {
            throw new IllegalArgumentException("the clean prompt has " + clean.length + " tokens and the corrupted one "
                    + corrupted.length + "; patching pastes activations position by position, so they must have the same length");
        }
        this.model = model;
        this.clean = clean.clone();
        this.corrupted = corrupted.clone();
        this.metric = metric;
        Hooks hooks = model.newHooks();
        cleanCache = ActivationCache.capture(hooks, "blocks.*.hook_resid_pre", "blocks.*.hook_attn_out", "blocks.*.hook_mlp_out",
                "blocks.*.attn.hook_z", "blocks.*.hook_resid_post");
        cleanMetric = metric.of(model.forward(clean, hooks, PhiModel.Logits.LAST));
        corruptedMetric = metric.of(model.forward(corrupted, PhiModel.Logits.LAST));
        if (Math.abs(cleanMetric - corruptedMetric) < 1e-6) {
            throw new IllegalArgumentException(String.format("the metric is %.4f on both prompts; patching needs a clean and a "
                    + "corrupted prompt on which the answer tokens' logit difference differs", cleanMetric));
        }
    }

    public double cleanMetric() {
        return cleanMetric;
    }

    public double corruptedMetric() {
        return corruptedMetric;
    }

    public int length() {
        return clean.length;
    }

    public PhiModel model() {
        return model;
    }

    public int[] cleanTokens() {
        return clean.clone();
    }

    public int[] corruptedTokens() {
        return corrupted.clone();
    }

    public LogitDifference metric() {
        return metric;
    }

    /** (metric - corrupted) / (clean - corrupted). */
    public double normalise(double value) {
        return (value - corruptedMetric) / (cleanMetric - corruptedMetric);
    }

    /**
     * The normalised metric of the corrupted run with the clean activation at {@code point} pasted
     * in at {@code position} (or all positions when null), for head {@code head} only when the site
     * is {@code attn.hook_z} and head is not null.
     */
    public double patch(HookPoint point, Integer position, Integer head) {
        if (point.site() != HookSite.Z && head != null) {
            throw new IllegalArgumentException("a head can only be chosen when patching attn.hook_z, not " + point.name());
        }
        if (position != null && (position < 0 || position >= clean.length)) {
            throw new IllegalArgumentException("position " + position + " is out of range for " + clean.length + " tokens");
        }
        int heads = model.config().numHeads();
        if (head != null && (head < 0 || head >= heads)) {
            throw new IllegalArgumentException("head " + head + " is out of range: the model has " + heads + " heads");
        }
        float[] source = cleanCache.get(point.name()).data();
        Hooks hooks = model.newHooks().add(point, a -> {
            int rowWidth = a.size() / a.shape()[0];
            int from = position == null ? 0 : position;
            int to = position == null ? a.shape()[0] : position + 1;
            for (int t = from; t < to; t++) {
                if (head == null) {
                    System.arraycopy(source, t * rowWidth, a.data(), a.offset() + t * rowWidth, rowWidth);
                } else {
                    int d = model.config().headDim();
                    int at = t * rowWidth + head * d;
                    System.arraycopy(source, at, a.data(), a.offset() + at, d);
                }
            }
        });
        return normalise(metric.of(model.forward(corrupted, hooks, PhiModel.Logits.LAST)));
    }

    /** Every block x position for each of {@code sites}: columns site, layer, position, token, score. */
    public Table sweepPositions(List<HookSite> sites, IntFunction<String> tokenText, Progress progress) {
        Table table = Table.create("patching by layer and position", StringColumn.create("site"), IntColumn.create("layer"),
                IntColumn.create("position"), StringColumn.create("token"), DoubleColumn.create("score"));
        int layers = model.config().numLayers();
        int total = sites.size() * layers * clean.length;
        int done = 0;
        for (HookSite site : sites) {
            for (int layer = 0; layer < layers; layer++) {
                for (int position = 0; position < clean.length; position++) {
                    double score = patch(HookPoint.inBlock(layer, site), position, null);
                    table.stringColumn("site").append(site.suffix());
                    table.intColumn("layer").append(layer);
                    table.intColumn("position").append(position);
                    table.stringColumn("token").append(tokenText.apply(clean[position]));
                    table.doubleColumn("score").append(score);
                    progress.advance(site.suffix() + " layer " + layer, ++done, total);
                }
            }
        }
        return table;
    }

    /** Every block x head, patching the head's {@code hook_z} at all positions: columns layer, head, score. */
    public Table sweepHeads(Progress progress) {
        Table table = Table.create("patching by layer and head (attn.hook_z)", IntColumn.create("layer"), IntColumn.create("head"),
                DoubleColumn.create("score"));
        int layers = model.config().numLayers();
        int heads = model.config().numHeads();
        int done = 0;
        for (int layer = 0; layer < layers; layer++) {
            for (int head = 0; head < heads; head++) {
                table.intColumn("layer").append(layer);
                table.intColumn("head").append(head);
                table.doubleColumn("score").append(patch(HookPoint.inBlock(layer, HookSite.Z), null, head));
                progress.advance("layer " + layer + " head " + head, ++done, layers * heads);
            }
        }
        return table;
    }

    /**
     * A long table turned into a grid for a heatmap: one row per layer, one column per value of
     * {@code columnName} (positions are labelled {@code index:token}), cells rounded to 3 places.
     */
    public static Table heatmap(Table longTable, String title, String columnName) {
        IntColumn layers = longTable.intColumn("layer");
        int[] layerValues = layers.unique().asList().stream().mapToInt(Integer::intValue).sorted().toArray();
        boolean byPosition = columnName.equals("position");
        List<Integer> keys = longTable.intColumn(columnName).unique().asList().stream().sorted().toList();
        Table grid = Table.create(title, IntColumn.create("layer", layerValues));
        for (int key : keys) {
            String label = byPosition ? key + ":" + tokenAt(longTable, key) : "head " + key;
            double[] cells = new double[layerValues.length];
            Arrays.fill(cells, Double.NaN);
            for (int r = 0; r < longTable.rowCount(); r++) {
                if (longTable.intColumn(columnName).getInt(r) == key) {
                    int layer = longTable.intColumn("layer").getInt(r);
                    cells[Arrays.binarySearch(layerValues, layer)] = Math.round(longTable.doubleColumn("score").getDouble(r) * 1000) / 1000.0;
                }
            }
            grid.addColumns(DoubleColumn.create(label, cells));
        }
        return grid;
    }

    private static String tokenAt(Table table, int position) {
        for (int r = 0; r < table.rowCount(); r++) {
            if (table.intColumn("position").getInt(r) == position) {
                return table.stringColumn("token").get(r);
            }
        }
        return "";
    }
}

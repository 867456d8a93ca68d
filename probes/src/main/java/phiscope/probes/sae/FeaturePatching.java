package phiscope.probes.sae;

import java.util.Comparator;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.Hook;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.model.PhiModel;
import phiscope.probes.Progress;
import phiscope.probes.patching.ActivationPatching;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Activation patching and ablation of single SAE features. The SAE runs spliced in with its error
 * term, so without an edit both prompts give exactly the model's own metric; patching a feature
 * sets its activation in the corrupted run to the clean run's (at one position or all of them),
 * which adds (clean − corrupted) · W_dec[feature] to the hook and nothing else. Scores use the
 * normalisation of {@link ActivationPatching}: 1 = the clean metric, 0 = the corrupted one.
 */
public final class FeaturePatching {

    private final ActivationPatching base;
    private final SparseAutoencoder sae;
    private final int[] clean;
    private final int[] corrupted;
    private final ActivationCache.Entry cleanActs;
    private final ActivationCache.Entry corruptedActs;

    public FeaturePatching(ActivationPatching base, SparseAutoencoder sae) {
        this.base = base;
        this.sae = sae;
        this.clean = base.cleanTokens();
        this.corrupted = base.corruptedTokens();
        this.cleanActs = activations(clean);
        this.corruptedActs = activations(corrupted);
    }

    private ActivationCache.Entry activations(int[] ids) {
        PhiModel model = base.model();
        Hooks hooks = model.newHooks();
        try (ActivationCache cache = ActivationCache.withBudget(Long.MAX_VALUE, ActivationCache.Precision.F32)) {
            SaeSplice splice = SaeSplice.attach(hooks, sae, SaeSplice.Output.WITH_ERROR).record(cache, "", "hook_sae_acts_post");
            model.forward(ids, hooks, PhiModel.Logits.NONE);
            return cache.get(splice.host().name() + ".hook_sae_acts_post");
        }
    }

    /** The normalised metric of the corrupted run with {@code feature} set to its clean activation at {@code position} (all when null). */
    public double patch(int feature, Integer position) {
        int[] positions = positions(position);
        return run(corrupted, a -> {
            for (int t : positions) {
                a.set(cleanActs.get(t, feature), t, feature);
            }
        });
    }

    /** The normalised metric of the clean run with {@code feature} zero-ablated at every position: how much the clean behaviour needs it. */
    public double ablate(int feature) {
        sae.decoderDirection(feature); // refuses a feature the SAE does not have
        return run(clean, a -> {
            for (int t = 0; t < a.shape()[0]; t++) {
                a.set(0f, t, feature);
            }
        });
    }

    private double run(int[] ids, Hook edit) {
        Hooks hooks = base.model().newHooks();
        SaeSplice.attach(hooks, sae, SaeSplice.Output.WITH_ERROR).add("hook_sae_acts_post", edit);
        return base.normalise(base.metric().of(base.model().forward(ids, hooks, PhiModel.Logits.LAST)));
    }

    private int[] positions(Integer position) {
        if (position == null) {
            return IntStream.range(0, clean.length).toArray();
        }
        if (position < 0 || position >= clean.length) {
            throw new IllegalArgumentException("position " + position + " is out of range for " + clean.length + " tokens");
        }
        return new int[] {position};
    }

    /** The features whose activations differ most between the two prompts (summed over positions), most first. */
    public int[] mostChanged(int count) {
        double[] change = new double[sae.dSae()];
        for (int t = 0; t < clean.length; t++) {
            for (int f = 0; f < change.length; f++) {
                change[f] += Math.abs(cleanActs.get(t, f) - corruptedActs.get(t, f));
            }
        }
        return IntStream.range(0, change.length).boxed().filter(f -> change[f] > 0)
                .sorted(Comparator.comparingDouble((Integer f) -> -change[f]).thenComparingInt(f -> f))
                .limit(count).mapToInt(Integer::intValue).toArray();
    }

    /**
     * Patches each of {@code features} at all positions and, when {@code byPosition}, at each
     * position alone; each row also gives the clean run with the feature ablated. Columns:
     * feature, position (−1 = all), token, clean and corrupted activation (summed over the
     * positions patched), patched score, ablated score.
     */
    public Table sweep(int[] features, boolean byPosition, IntFunction<String> tokenText, Progress progress) {
        Table table = Table.create("patching SAE features of " + sae.config().hookName(), IntColumn.create("feature"),
                IntColumn.create("position"), StringColumn.create("token"), DoubleColumn.create("clean act"),
                DoubleColumn.create("corrupted act"), DoubleColumn.create("patched"), DoubleColumn.create("ablated"));
        int total = features.length * (byPosition ? clean.length + 1 : 1);
        int done = 0;
        for (int feature : features) {
            double ablated = ablate(feature);
            Integer[] where = byPosition ? IntStream.rangeClosed(-1, clean.length - 1).boxed().map(p -> p < 0 ? null : p)
                    .toArray(Integer[]::new) : new Integer[] {null};
            for (Integer position : where) {
                double cleanAct = 0;
                double corruptedAct = 0;
                for (int t : positions(position)) {
                    cleanAct += cleanActs.get(t, feature);
                    corruptedAct += corruptedActs.get(t, feature);
                }
                table.intColumn("feature").append(feature);
                table.intColumn("position").append(position == null ? -1 : position);
                table.stringColumn("token").append(position == null ? "(all)" : tokenText.apply(clean[position]));
                table.doubleColumn("clean act").append(round(cleanAct));
                table.doubleColumn("corrupted act").append(round(corruptedAct));
                table.doubleColumn("patched").append(round(patch(feature, position)));
                table.doubleColumn("ablated").append(round(ablated));
                progress.advance("feature " + feature, ++done, total);
            }
        }
        return table;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}

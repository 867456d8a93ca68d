package phiscope.probes.patching;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import phiscope.engine.hooks.Activation;
import phiscope.engine.hooks.Hook;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.hooks.IndexSlice;
import phiscope.engine.model.PhiModel;

/**
 * Knocks out attention heads (on {@code attn.hook_z}) or MLP neurons (on {@code mlp.hook_post}) at
 * chosen positions, replacing them by zero or by their mean over reference prompts. Register it
 * with {@code hooks.add(ablation.point(), ablation)}.
 */
public record Ablation(HookPoint point, int[] units, IndexSlice positions, float[] replacement) implements Hook {

    public Ablation {
        if (point.site() != HookSite.Z && point.site() != HookSite.MLP_POST) {
            throw new IllegalArgumentException("ablations act on heads (blocks.L.attn.hook_z) or neurons (blocks.L.mlp.hook_post), not "
                    + point.name());
        }
        units = units.clone();
    }

    public static Ablation zero(HookPoint point, int[] units, IndexSlice positions, PhiModel model) {
        checkUnits(point, units, model);
        return new Ablation(point, units, positions, null);
    }

    /** Replaces each unit by its mean activation over every position of the {@code reference} prompts. */
    public static Ablation mean(HookPoint point, int[] units, IndexSlice positions, PhiModel model, List<int[]> reference) {
        checkUnits(point, units, model);
        if (reference.isEmpty()) {
            throw new IllegalArgumentException("mean ablation needs at least one reference prompt");
        }
        int width = point.site() == HookSite.Z ? model.config().hiddenSize() : model.config().intermediateSize();
        double[] sum = new double[width];
        long[] rows = new long[1];
        for (int[] prompt : reference) {
            Hooks hooks = model.newHooks().observe(point, a -> {
                int t = a.shape()[0];
                for (int r = 0; r < t; r++) {
                    for (int i = 0; i < width; i++) {
                        sum[i] += a.data()[a.offset() + r * width + i];
                    }
                }
                rows[0] += t;
            });
            model.forward(prompt, hooks, PhiModel.Logits.NONE);
        }
        float[] mean = new float[width];
        for (int i = 0; i < width; i++) {
            mean[i] = (float) (sum[i] / rows[0]);
        }
        return new Ablation(point, units, positions, mean);
    }

    private static void checkUnits(HookPoint point, int[] units, PhiModel model) {
        int count = point.site() == HookSite.Z ? model.config().numHeads() : model.config().intermediateSize();
        String what = point.site() == HookSite.Z ? "head" : "neuron";
        if (units.length == 0) {
            throw new IllegalArgumentException("choose at least one " + what + " to ablate");
        }
        for (int u : units) {
            if (u < 0 || u >= count) {
                throw new IllegalArgumentException(what + " " + u + " is out of range: " + point.name() + " has " + count + " " + what + "s");
            }
        }
    }

    @Override
    public void apply(Activation a) {
        for (int t : positions.resolve(a.shape()[0], "position")) {
            replaceRow(a, t);
        }
    }

    /**
     * This ablation at the sequence positions {@code sequencePositions} only, wherever their rows
     * sit in a pass (a packed pass holds several texts): how a saved intervention ablates, so
     * that a text is edited alike whatever it is scored with. Null ablates every position.
     */
    public Hook atSequencePositions(int[] sequencePositions) {
        if (sequencePositions == null) {
            return a -> {
                for (int t = 0; t < a.shape()[0]; t++) replaceRow(a, t);
            };
        }
        Set<Integer> wanted = Arrays.stream(sequencePositions).boxed().collect(Collectors.toSet());
        return a -> {
            int[] at = a.positions();
            for (int t = 0; t < a.shape()[0]; t++) {
                if (wanted.contains(at[t])) replaceRow(a, t);
            }
        };
    }

    private void replaceRow(Activation a, int row) {
        int span = point.site() == HookSite.Z ? a.shape()[2] : 1;
        int at = a.offset() + row * (a.size() / a.shape()[0]);
        float[] data = a.data();
        for (int u : units) {
            for (int i = 0; i < span; i++) {
                data[at + u * span + i] = replacement == null ? 0f : replacement[u * span + i];
            }
        }
    }
}

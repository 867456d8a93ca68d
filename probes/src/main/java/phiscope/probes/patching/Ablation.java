package phiscope.probes.patching;

import java.util.List;
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
        int[] shape = a.shape();
        int span = point.site() == HookSite.Z ? shape[2] : 1;
        int rowWidth = a.size() / shape[0];
        float[] data = a.data();
        for (int t : positions.resolve(shape[0], "position")) {
            for (int u : units) {
                int at = t * rowWidth + u * span;
                for (int i = 0; i < span; i++) {
                    data[a.offset() + at + i] = replacement == null ? 0f : replacement[u * span + i];
                }
            }
        }
    }
}

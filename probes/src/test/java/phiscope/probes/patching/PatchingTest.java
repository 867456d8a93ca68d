package phiscope.probes.patching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import phiscope.engine.Phi;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.hooks.IndexSlice;
import phiscope.engine.model.PhiModel;
import phiscope.probes.Nanophi;
import phiscope.probes.Progress;
import tech.tablesaw.api.Table;

class PatchingTest {

    private final Phi phi = Nanophi.phi();
    private final int[] clean = phi.encode("def add(first, second):\n    return first +");
    private final int[] corrupted = phi.encode("def add(first, last):\n    return first +");
    private final LogitDifference metric = new LogitDifference(phi.encode(" second")[0], phi.encode(" last")[0]);

    @Test
    void patchingEverythingThatDiffersRestoresTheCleanRunExactly() {
        ActivationPatching patching = new ActivationPatching(phi.model(), clean, corrupted, metric);
        assertTrue(patching.cleanMetric() > 0 && patching.corruptedMetric() < 0, "the prompts prefer their own argument");
        int differing = 5;
        for (int t = 0; t < clean.length; t++) {
            assertEquals(t == differing, clean[t] != corrupted[t], "the prompts differ at position " + differing + " only, not at " + t);
        }
        HookPoint embedOut = HookPoint.inBlock(0, HookSite.RESID_PRE);
        // The prompts differ only at position 5: its clean embedding turns the corrupted run into the clean one.
        assertEquals(1.0, patching.patch(embedOut, differing, null));
        assertEquals(0.0, patching.patch(embedOut, 3, null), "an identical position changes nothing");
        assertEquals(1.0, patching.patch(embedOut, null, null));
        // The logits read only the last position's final residual.
        assertEquals(1.0, patching.patch(HookPoint.inBlock(3, HookSite.RESID_POST), clean.length - 1, null), 1e-12);
        assertEquals(0.0, patching.patch(HookPoint.inBlock(3, HookSite.RESID_POST), 2, null), 1e-12);
    }

    @Test
    void sweepsCoverEveryCellAndReadLikeTheCircuit() {
        ActivationPatching patching = new ActivationPatching(phi.model(), clean, corrupted, metric);
        List<String> steps = new ArrayList<>();
        Table positions = patching.sweepPositions(ActivationPatching.POSITION_SITES, id -> phi.decode(new int[] {id}),
                (step, done, total) -> steps.add(done + "/" + total));
        assertEquals(3 * 4 * clean.length, positions.rowCount());
        assertEquals("144/144", steps.getLast());
        Table heads = patching.sweepHeads(Progress.NONE);
        assertEquals(16, heads.rowCount());
        // Before block 0 nothing but position 5 differs, so every other embedding patch scores exactly 0.
        Table embed = positions.where(positions.stringColumn("site").isEqualTo("hook_resid_pre")
                .and(positions.intColumn("layer").isEqualTo(0)));
        for (int r = 0; r < embed.rowCount(); r++) {
            assertEquals(embed.intColumn("position").getInt(r) == 5 ? 1.0 : 0.0, embed.doubleColumn("score").getDouble(r));
        }
        Table grid = ActivationPatching.heatmap(heads, "heads", "head");
        assertEquals(4, grid.rowCount());
        assertEquals(5, grid.columnCount());
        assertThrows(IllegalArgumentException.class, () -> new ActivationPatching(phi.model(), clean, phi.encode("def f(): pass"), metric));
        assertThrows(IllegalArgumentException.class, () -> patching.patch(HookPoint.inBlock(0, HookSite.RESID_PRE), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> patching.patch(HookPoint.inBlock(0, HookSite.Z), null, 4));
        assertThrows(IllegalArgumentException.class, () -> patching.patch(HookPoint.inBlock(0, HookSite.Z), 99, 0));
    }

    @Test
    void ablationsZeroOrAverageTheChosenUnitsOnly() {
        PhiModel model = phi.model();
        HookPoint z = HookPoint.inBlock(1, HookSite.Z);
        Ablation zero = Ablation.zero(z, new int[] {2}, IndexSlice.parse("-2:"), model);
        Hooks hooks = model.newHooks().add(z, zero);
        ActivationCache seen = ActivationCache.capture(hooks, z.name());
        Hooks plainHooks = model.newHooks();
        ActivationCache before = ActivationCache.capture(plainHooks, z.name());
        model.forward(clean, hooks, PhiModel.Logits.NONE);
        model.forward(clean, plainHooks, PhiModel.Logits.NONE);
        float[] after = seen.get(z.name()).data();
        float[] original = before.get(z.name()).data();
        int t = clean.length;
        double ablatedMass = 0;
        for (int pos = 0; pos < t; pos++) {
            for (int head = 0; head < 4; head++) {
                for (int i = 0; i < 32; i++) {
                    int at = (pos * 4 + head) * 32 + i;
                    boolean ablated = head == 2 && pos >= t - 2;
                    assertEquals(ablated ? 0f : original[at], after[at]);
                    ablatedMass += ablated ? Math.abs(original[at]) : 0;
                }
            }
        }
        // Were the ablated units zero anyway (or had the ablation leaked into the other registry's run), the loop would prove nothing.
        assertTrue(ablatedMass > 0, "the plain run's head 2 at the last two positions is not zero");

        HookPoint neurons = HookPoint.inBlock(0, HookSite.MLP_POST);
        int[] units = {7, 300};
        Ablation mean = Ablation.mean(neurons, units, IndexSlice.ALL, model, List.of(clean, corrupted));
        // The mean of each unit over every position of both reference prompts, from plain runs.
        double[] expected = new double[units.length];
        for (int[] prompt : List.of(clean, corrupted)) {
            Hooks reference = model.newHooks();
            ActivationCache refCache = ActivationCache.capture(reference, neurons.name());
            model.forward(prompt, reference, PhiModel.Logits.NONE);
            float[] ref = refCache.get(neurons.name()).data();
            for (int pos = 0; pos < prompt.length; pos++) {
                for (int u = 0; u < units.length; u++) {
                    expected[u] += ref[pos * 512 + units[u]];
                }
            }
        }
        for (int u = 0; u < units.length; u++) {
            expected[u] /= clean.length + corrupted.length;
            assertEquals(expected[u], mean.replacement()[units[u]], 1e-6, "the mean of neuron " + units[u]);
        }
        Hooks plainNeurons = model.newHooks();
        ActivationCache unablated = ActivationCache.capture(plainNeurons, neurons.name());
        model.forward(clean, plainNeurons, PhiModel.Logits.NONE);
        float[] plainMlp = unablated.get(neurons.name()).data();
        Hooks meanHooks = model.newHooks().add(neurons, mean);
        ActivationCache meanSeen = ActivationCache.capture(meanHooks, neurons.name());
        model.forward(clean, meanHooks, PhiModel.Logits.NONE);
        float[] meaned = meanSeen.get(neurons.name()).data();
        for (int pos = 0; pos < t; pos++) {
            for (int i = 0; i < 512; i++) {
                int u = i == units[0] ? 0 : i == units[1] ? 1 : -1;
                assertEquals(u >= 0 ? expected[u] : plainMlp[pos * 512 + i], meaned[pos * 512 + i], u >= 0 ? 1e-6 : 0,
                        "neuron " + i + " at position " + pos);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Ablation.zero(z, new int[] {4}, IndexSlice.ALL, model));
        assertThrows(IllegalArgumentException.class, () -> Ablation.zero(neurons, new int[] {512}, IndexSlice.ALL, model));
        assertThrows(IllegalArgumentException.class, () -> Ablation.zero(HookPoint.inBlock(0, HookSite.RESID_PRE), new int[] {0},
                IndexSlice.ALL, model));
    }
}

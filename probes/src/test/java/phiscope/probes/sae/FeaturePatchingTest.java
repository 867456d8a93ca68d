package phiscope.probes.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import phiscope.engine.Phi;
import phiscope.probes.Nanophi;
import phiscope.probes.Progress;
import phiscope.probes.patching.ActivationPatching;
import phiscope.probes.patching.LogitDifference;
import tech.tablesaw.api.Table;

/** Patching single features between two prompts that differ at position 5 only (as PatchingTest's). */
class FeaturePatchingTest {

    private static final Phi PHI = Nanophi.phi();
    private static final SparseAutoencoder SAE = SparseAutoencoder.load(ShippedSaeTest.SHIPPED);
    private static final int DIFFERING = 5;
    private final int[] clean = PHI.encode("def add(first, second):\n    return first +");
    private final ActivationPatching base = new ActivationPatching(PHI.model(), clean,
            PHI.encode("def add(first, last):\n    return first +"), new LogitDifference(PHI.encode(" second")[0], PHI.encode(" last")[0]));
    private final FeaturePatching patching = new FeaturePatching(base, SAE);

    @Test
    void onlyWhatDiffersMovesTheMetric() {
        int[] changed = patching.mostChanged(SAE.dSae());
        assertTrue(changed.length > 0 && changed.length < SAE.dSae(), changed.length + " features differ");
        int top = changed[0];
        // Before the differing token the two runs are the same (the model is causal): a patch there changes nothing, bit for bit.
        for (int t = 0; t < DIFFERING; t++) {
            assertEquals(0.0, patching.patch(top, t), "position " + t);
        }
        // A feature whose activations are the same in both runs is not edited, so it scores exactly 0.
        int same = 0;
        while (contains(changed, same)) {
            same++;
        }
        assertEquals(0.0, patching.patch(same, null));
        // Some of the most changed features carry part of the clean behaviour.
        boolean moved = false;
        for (int i = 0; i < Math.min(10, changed.length); i++) {
            moved |= Math.abs(patching.patch(changed[i], null)) > 0.01;
        }
        assertTrue(moved, "none of the ten most changed features moves the metric by 1%");
        assertThrows(IllegalArgumentException.class, () -> patching.patch(top, clean.length));
    }

    @Test
    void ablatingAFeatureTheCleanRunDoesNotUseLeavesItsMetric() {
        int silent = -1;
        float[][] acts = new float[1][];
        var hooks = PHI.newHooks();
        SaeSplice.attach(hooks, SAE, SaeSplice.Output.WITH_ERROR).observe("hook_sae_acts_post", a -> acts[0] = a.copy());
        PHI.run(clean, hooks);
        for (int f = 0; f < SAE.dSae() && silent < 0; f++) {
            boolean fires = false;
            for (int t = 0; t < clean.length; t++) {
                fires |= acts[0][t * SAE.dSae() + f] != 0f;
            }
            silent = fires ? -1 : f;
        }
        assertTrue(silent >= 0, "some feature is silent on the prompt");
        assertEquals(1.0, patching.ablate(silent), "zero-ablating a silent feature leaves the clean metric exactly");
        int top = patching.mostChanged(1)[0];
        assertNotEquals(1.0, patching.ablate(top));
    }

    @Test
    void theSweepHasARowPerFeatureAndPosition() {
        int[] features = patching.mostChanged(3);
        Table table = patching.sweep(features, true, id -> PHI.decode(new int[] {id}), Progress.NONE);
        assertEquals(3 * (clean.length + 1), table.rowCount());
        assertEquals(-1, table.intColumn("position").getInt(0));
        assertEquals(Math.round(patching.patch(features[0], null) * 1000) / 1000.0, table.doubleColumn("patched").getDouble(0));
        assertEquals(Math.round(patching.ablate(features[0]) * 1000) / 1000.0, table.doubleColumn("ablated").getDouble(0));
    }

    private static boolean contains(int[] values, int value) {
        for (int v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }
}

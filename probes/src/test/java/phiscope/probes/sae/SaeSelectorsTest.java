package phiscope.probes.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import phiscope.engine.Phi;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.HookSelector;
import phiscope.engine.hooks.Hooks;
import phiscope.probes.Nanophi;

/** A spliced SAE's points in the engine's selectors and caches, with [feature=..] slices. */
class SaeSelectorsTest {

    private static final Phi PHI = Nanophi.phi();
    private static final SparseAutoencoder SAE = SparseAutoencoder.load(ShippedSaeTest.SHIPPED);
    private static final String ACTS = "blocks.2.hook_resid_post.hook_sae_acts_post";
    private static final int[] IDS = PHI.encode("def greet(name):\n    print('hello', name)");

    private static Hooks spliced() {
        Hooks hooks = PHI.newHooks();
        SaeSplice.attach(hooks, SAE, SaeSplice.Output.WITH_ERROR);
        return hooks;
    }

    @Test
    void featureAndPositionSlicesKeepExactlyThoseActivations() {
        Hooks whole = PHI.newHooks();
        ActivationCache all = ActivationCache.withBudget(1L << 26, ActivationCache.Precision.F32);
        SaeSplice.attach(whole, SAE, SaeSplice.Output.WITH_ERROR).record(all, "", "hook_sae_acts_post", "hook_sae_recons");
        float[] plain = PHI.run(IDS, whole);

        Phi.CachedRun run = PHI.runWithCache(IDS, spliced(), ACTS + "[feature=291,7][pos=-2:]",
                "blocks.2.hook_resid_post.hook_sae_recons[pos=-1]", "blocks.2.hook_resid_post");
        assertArrayEquals(plain, run.logits(), "the SAE runs with its error term: the logits are the model's own");
        ActivationCache.Entry features = run.cache().get(ACTS);
        assertArrayEquals(new int[] {2, 2}, features.shape());
        ActivationCache.Entry expected = all.get(ACTS);
        int t = IDS.length - 2;
        assertEquals(expected.get(t, 291), features.get(0, 0));
        assertEquals(expected.get(t, 7), features.get(0, 1));
        assertEquals(expected.get(t + 1, 291), features.get(1, 0));
        assertEquals(expected.get(t + 1, 7), features.get(1, 1));
        assertArrayEquals(all.get("blocks.2.hook_resid_post.hook_sae_recons").row(IDS.length - 1),
                run.cache().get("blocks.2.hook_resid_post.hook_sae_recons").row(0));
        assertArrayEquals(new int[] {IDS.length, 128}, run.cache().get("blocks.2.hook_resid_post").shape());
        assertEquals(2 * 2 * 4L, ActivationCache.bytesNeeded(HookSelector.parseAll(List.of(ACTS + "[feature=291,7][pos=-2:]")), spliced(),
                ActivationCache.Precision.F32, IDS.length));
        assertEquals(2 * 5L * SAE.dSae() * 2, ActivationCache.bytesNeeded(HookSelector.parseAll(List.of("blocks.*.hook_resid_post.hook_sae_acts_*")),
                spliced(), ActivationCache.Precision.F16, 5), "a pattern matches both activation points");
    }

    @Test
    void selectorsThatCannotApplySayWhy() {
        IllegalArgumentException notSpliced = assertThrows(IllegalArgumentException.class, () -> PHI.runWithCache(IDS, ACTS));
        assertTrue(notSpliced.getMessage().contains("none is spliced at blocks.2.hook_resid_post: splice one there first (--sae DIR)"),
                notSpliced.getMessage());
        IllegalArgumentException modelHook = assertThrows(IllegalArgumentException.class,
                () -> PHI.runWithCache(IDS, spliced(), "blocks.2.hook_resid_post[feature=3]"));
        assertTrue(modelHook.getMessage().contains("[feature=..] selects features of a spliced SAE"), modelHook.getMessage());
        IllegalArgumentException recons = assertThrows(IllegalArgumentException.class,
                () -> PHI.runWithCache(IDS, spliced(), "blocks.2.hook_resid_post.hook_sae_recons[feature=3]"));
        assertTrue(recons.getMessage().contains("needs a SAE's hook_sae_acts_pre or hook_sae_acts_post"), recons.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> PHI.runWithCache(IDS, spliced(), ACTS + "[feature=1024]"));
        assertTrue(range.getMessage().contains("feature 1024 is out of range: there are 1024"), range.getMessage());
    }
}

package phiscope.probes.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import phiscope.engine.Phi;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.hooks.UnknownHookException;
import phiscope.engine.model.PhiModel;
import phiscope.probes.Nanophi;
import phiscope.probes.steering.SteeringVector;

/** A spliced SAE: transparent with the error term, the model runs on x̂ without it, and edits to its points flow as in SAELens. */
class SaeSpliceTest {

    private static final SparseAutoencoder TOPK = SparseAutoencoder.load(SaeFixturesTest.FIXTURES.resolve("topk-resid2"));
    private static final SparseAutoencoder STANDARD = SparseAutoencoder.load(SaeFixturesTest.FIXTURES.resolve("standard-resid2-legacy"));
    private static final String HOST = "blocks.2.hook_resid_post";
    private static final Phi PHI = Nanophi.phi();
    private static final int[] IDS = PHI.encode("def mean(xs):\n    return sum(xs) / len(xs)");

    /** The host activation as the rest of the pass sees it (an observer runs after the splice), and the logits. */
    private record Run(float[] host, float[] logits) {
    }

    private static Run run(Hooks hooks) {
        float[][] host = new float[1][];
        hooks.observe(HookPoint.parse(HOST, PHI.config()), a -> host[0] = a.copy());
        float[] logits = PHI.run(IDS, hooks);
        return new Run(host[0], logits);
    }

    @Test
    void withTheErrorTermTheModelIsUnchangedBitForBitAndEveryPointFiresOnce() {
        Run clean = run(PHI.newHooks());
        Hooks hooks = PHI.newHooks();
        Map<String, Integer> calls = new HashMap<>();
        SaeSplice splice = SaeSplice.attach(hooks, TOPK, SaeSplice.Output.WITH_ERROR);
        for (String point : splice.pointNames()) {
            splice.add(point, a -> calls.merge(a.name(), 1, Integer::sum));
        }
        ActivationCache cache = ActivationCache.withBudget(1L << 26, ActivationCache.Precision.F32);
        splice.record(cache, "");
        Run spliced = run(hooks);
        assertArrayEquals(clean.logits(), spliced.logits());
        assertArrayEquals(clean.host(), spliced.host());
        assertEquals(splice.pointNames(), List.copyOf(calls.keySet().stream().sorted(
                (a, b) -> SaeSplice.POINTS.indexOf(a.substring(HOST.length() + 1)) - SaeSplice.POINTS.indexOf(b.substring(HOST.length() + 1))).toList()));
        calls.values().forEach(n -> assertEquals(1, n));
        float[] input = cache.get(HOST + ".hook_sae_input").data();
        float[] recons = cache.get(HOST + ".hook_sae_recons").data();
        float[] error = cache.get(HOST + ".hook_sae_error").data();
        assertArrayEquals(clean.host(), input);
        for (int i = 0; i < input.length; i++) {
            assertEquals(input[i], recons[i] + error[i], 1e-5f);
        }
        assertArrayEquals(new int[] {IDS.length, TOPK.dSae()}, cache.shape(HOST + ".hook_sae_acts_post"));
    }

    @Test
    void withoutTheErrorTermTheModelRunsOnTheReconstruction() {
        Run clean = run(PHI.newHooks());
        Hooks hooks = PHI.newHooks();
        ActivationCache cache = ActivationCache.withBudget(1L << 26, ActivationCache.Precision.F32);
        SaeSplice.attach(hooks, TOPK, SaeSplice.Output.RECONSTRUCTION).record(cache, "", "hook_sae_recons");
        Run spliced = run(hooks);
        assertArrayEquals(cache.get(HOST + ".hook_sae_recons").data(), spliced.host());
        assertFalse(Arrays.equals(clean.logits(), spliced.logits()));
    }

    @Test
    void clampingAFeatureAddsItsDecoderDirectionTimesTheChange() {
        int feature = 7;
        float clamp = 4f;
        ActivationCache cache = ActivationCache.withBudget(1L << 26, ActivationCache.Precision.F32);
        Hooks cleanHooks = PHI.newHooks();
        SaeSplice.attach(cleanHooks, TOPK, SaeSplice.Output.WITH_ERROR).record(cache, "", "hook_sae_acts_post");
        Run clean = run(cleanHooks);
        ActivationCache.Entry before = cache.get(HOST + ".hook_sae_acts_post");

        Hooks hooks = PHI.newHooks();
        SaeSplice.attach(hooks, TOPK, SaeSplice.Output.WITH_ERROR).clamp(feature, clamp);
        Run steered = run(hooks);
        float[] direction = TOPK.decoderDirection(feature);
        int d = direction.length;
        for (int t = 0; t < IDS.length; t++) {
            float change = clamp - before.get(t, feature);
            for (int i = 0; i < d; i++) {
                assertEquals(clean.host()[t * d + i] + change * direction[i], steered.host()[t * d + i], 1e-4f, "token " + t + ", dim " + i);
            }
        }
        assertFalse(Arrays.equals(clean.logits(), steered.logits()));
    }

    /** Steering by a feature's decoder direction at coefficient c is adding c to the feature's activation, everywhere. */
    @Test
    void steeringByTheDecoderDirectionIsRaisingTheFeature() {
        int feature = 7;
        float c = 3f;
        Hooks raised = PHI.newHooks();
        SaeSplice.attach(raised, TOPK, SaeSplice.Output.WITH_ERROR).add("hook_sae_acts_post", a -> {
            for (int t = 0; t < a.shape()[0]; t++) {
                a.set(a.get(t, feature) + c, t, feature);
            }
        });
        Run byFeature = run(raised);
        SteeringVector vector = SteeringVector.decoderDirection(TOPK, feature);
        assertEquals(HOST, vector.hook());
        Run byDirection = run(vector.addTo(PHI.newHooks(), c));
        for (int i = 0; i < byFeature.host().length; i++) {
            assertEquals(byFeature.host()[i], byDirection.host()[i], 1e-4f, "host value " + i);
        }
        for (int i = 0; i < byFeature.logits().length; i++) {
            assertEquals(byFeature.logits()[i], byDirection.logits()[i], 1e-3f, "logit " + i);
        }
        assertFalse(Arrays.equals(run(PHI.newHooks()).logits(), byDirection.logits()));
    }

    @Test
    void aClampOfAFeatureTheSaeDoesNotHaveIsRefused() {
        SaeSplice splice = SaeSplice.attach(PHI.newHooks(), TOPK, SaeSplice.Output.WITH_ERROR);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> splice.clamp(TOPK.dSae(), 1f));
        assertTrue(e.getMessage().contains("features 0..1023"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> splice.clamp(0, Float.NaN));
    }

    @Test
    void anEditedPreActivationFlowsThroughTheActivationFunction() {
        int feature = 3;
        ActivationCache cache = ActivationCache.withBudget(1L << 26, ActivationCache.Precision.F32);
        Hooks hooks = PHI.newHooks();
        SaeSplice.attach(hooks, STANDARD, SaeSplice.Output.WITH_ERROR)
                .add("hook_sae_acts_pre", a -> {
                    for (int t = 0; t < a.shape()[0]; t++) {
                        a.set(t == 0 ? 5f : -5f, t, feature);
                    }
                })
                .record(cache, "", "hook_sae_acts_post");
        PHI.model().forward(IDS, hooks, PhiModel.Logits.NONE);
        ActivationCache.Entry post = cache.get(HOST + ".hook_sae_acts_post");
        assertEquals(5f, post.get(0, feature));
        assertEquals(0f, post.get(1, feature));
    }

    @Test
    void anUnknownSaePointListsTheSaesPoints() {
        SaeSplice splice = SaeSplice.attach(PHI.newHooks(), TOPK, SaeSplice.Output.WITH_ERROR);
        UnknownHookException e = assertThrows(UnknownHookException.class, () -> splice.add("hook_sae_acts", a -> { }));
        assertEquals(splice.pointNames(), e.suggestions());
        assertTrue(e.getMessage().contains(HOST + ".hook_sae_acts_post"), e.getMessage());
    }
}

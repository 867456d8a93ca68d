package phiscope.engine.hooks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import phiscope.engine.Fixtures;
import phiscope.engine.model.KVCache;
import phiscope.engine.model.PhiConfig;
import phiscope.engine.model.PhiModel;

class HooksTest {

    private static PhiModel model;
    private static final int[] IDS = {3, 17, 250, 9, 4, 100, 77, 512, 1, 42};

    @BeforeAll
    static void load() {
        model = PhiModel.load(Fixtures.tiny("float16"), 2);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void everyHookPointFiresWithItsDocumentedShape() {
        PhiConfig c = model.config();
        Hooks hooks = model.newHooks();
        List<String> fired = new ArrayList<>();
        hooks.add("hook_embed", a -> fired.add(a.name() + Arrays.toString(a.shape())));
        for (HookPoint point : HookPoint.all(c)) {
            if (!point.name().equals("hook_embed")) {
                hooks.add(point, a -> fired.add(a.name() + Arrays.toString(a.shape())));
            }
        }
        model.forward(IDS, hooks, PhiModel.Logits.ALL);
        int t = IDS.length;
        assertEquals(HookPoint.all(c).size(), fired.size());
        assertTrue(fired.contains("hook_embed[10, 80]"));
        assertTrue(fired.contains("blocks.2.attn.hook_q[10, 4, 20]"));
        assertTrue(fired.contains("blocks.2.attn.hook_rot_k[10, 4, 20]"));
        assertTrue(fired.contains("blocks.1.attn.hook_attn_scores[4, 10, 10]"));
        assertTrue(fired.contains("blocks.0.attn.hook_pattern[4, 10, 10]"));
        assertTrue(fired.contains("blocks.0.attn.hook_result[10, 4, 80]"));
        assertTrue(fired.contains("blocks.0.mlp.hook_post[10, 300]"));
        assertTrue(fired.contains("ln_final.hook_normalized[10, 80]"));
        assertTrue(fired.contains("unembed.hook_logits[" + t + ", 515]"));
        // forward order: embed first, logits last
        assertTrue(fired.get(0).startsWith("hook_embed"));
        assertTrue(fired.getLast().startsWith("unembed.hook_logits"));
    }

    @Test
    void unknownNamesListCloseMatches() {
        UnknownHookException e = assertThrows(UnknownHookException.class,
                () -> model.newHooks().add("blocks.0.attn.hook_patern", a -> { }));
        assertEquals("blocks.0.attn.hook_pattern", e.suggestions().getFirst());
        assertTrue(e.getMessage().contains("unknown hook 'blocks.0.attn.hook_patern'"));
        UnknownHookException outOfRange = assertThrows(UnknownHookException.class,
                () -> model.newHooks().add("blocks.7.hook_resid_post", a -> { }));
        assertTrue(outOfRange.suggestions().contains("blocks.2.hook_resid_post"), outOfRange.getMessage());
        assertThrows(UnknownHookException.class, () -> model.newHooks().add("blocks.*.hook_nothing", a -> { }));
        assertEquals(3, HookPoint.matching("blocks.*.hook_resid_post", model.config()).size());
    }

    @Test
    void readHooksAndDerivedHooksDoNotChangeTheOutput() {
        float[] plain = model.forward(IDS, PhiModel.Logits.ALL);
        Hooks observing = model.newHooks();
        ActivationCache cache = ActivationCache.capture(observing, "blocks.*.attn.hook_pattern", "blocks.*.attn.hook_attn_scores",
                "blocks.*.hook_resid_post", "blocks.*.attn.hook_rot_q");
        float[] observed = model.forward(IDS, observing, PhiModel.Logits.ALL);
        // Materialising scores and patterns runs the same arithmetic: bit-identical logits.
        assertArrayEquals(plain, observed);
        assertEquals(12, cache.names().size());
        float[] pattern = cache.get("blocks.1.attn.hook_pattern").data();
        int t = IDS.length;
        for (int h = 0; h < 4; h++) {
            for (int q = 0; q < t; q++) {
                double sum = 0;
                for (int k = 0; k < t; k++) {
                    float p = pattern[(h * t + q) * t + k];
                    if (k > q) {
                        assertEquals(0f, p, "causal mask");
                    }
                    sum += p;
                }
                assertEquals(1.0, sum, 1e-5);
            }
        }
        float[] scores = cache.get("blocks.1.attn.hook_attn_scores").data();
        assertEquals(Float.NEGATIVE_INFINITY, scores[1], "masked score of query 0, key 1");

        // hook_result: the heads' contributions sum (with the bias) to hook_attn_out.
        Hooks withResult = model.newHooks();
        ActivationCache parts = ActivationCache.capture(withResult, "blocks.0.attn.hook_result", "blocks.0.hook_attn_out");
        float[] viaResult = model.forward(IDS, withResult, PhiModel.Logits.ALL);
        for (int i = 0; i < plain.length; i++) {
            assertEquals(plain[i], viaResult[i], 1e-5);
        }
        float[] result = parts.get("blocks.0.attn.hook_result").data();
        float[] attnOut = parts.get("blocks.0.hook_attn_out").data();
        float[] bias = model.weights().blocks().get(0).dense().bias();
        for (int q = 0; q < t; q++) {
            for (int o = 0; o < 80; o++) {
                double sum = bias[o];
                for (int h = 0; h < 4; h++) {
                    sum += result[(q * 4 + h) * 80 + o];
                }
                assertEquals(attnOut[q * 80 + o], sum, 1e-5);
            }
        }
    }

    @Test
    void writeHooksChangeWhatFollows() {
        float[] plain = model.forward(IDS, PhiModel.Logits.LAST);
        // Zero-ablating every head's output of block 2 at the last position equals removing attention there.
        Hooks ablate = model.newHooks().add("blocks.2.attn.hook_z", a -> {
            int last = a.shape()[0] - 1;
            for (int h = 0; h < 4; h++) {
                for (int i = 0; i < 20; i++) {
                    a.set(0f, last, h, i);
                }
            }
        });
        ActivationCache seen = ActivationCache.capture(ablate, "blocks.2.hook_attn_out");
        float[] ablated = model.forward(IDS, ablate, PhiModel.Logits.LAST);
        assertNotEquals(Arrays.toString(plain), Arrays.toString(ablated));
        float[] attnOut = seen.get("blocks.2.hook_attn_out").data();
        float[] bias = model.weights().blocks().get(2).dense().bias();
        assertArrayEquals(bias, Arrays.copyOfRange(attnOut, (IDS.length - 1) * 80, IDS.length * 80), 1e-7f);

        // Patching a run's own residual stream back into it changes nothing.
        Hooks capture = model.newHooks();
        ActivationCache clean = ActivationCache.capture(capture, "blocks.1.hook_resid_pre");
        model.forward(IDS, capture, PhiModel.Logits.LAST);
        float[] saved = clean.get("blocks.1.hook_resid_pre").data();
        Hooks patch = model.newHooks().add("blocks.1.hook_resid_pre", a -> System.arraycopy(saved, 0, a.data(), a.offset(), saved.length));
        assertArrayEquals(plain, model.forward(IDS, patch, PhiModel.Logits.LAST));

        // A pattern edit is what the values are mixed with: attend only to the first token.
        Hooks firstToken = model.newHooks().add("blocks.0.attn.hook_pattern", a -> {
            int[] s = a.shape();
            for (int h = 0; h < s[0]; h++) {
                for (int q = 0; q < s[1]; q++) {
                    for (int k = 0; k < s[2]; k++) {
                        a.set(k == 0 ? 1f : 0f, h, q, k);
                    }
                }
            }
        });
        ActivationCache z = ActivationCache.capture(firstToken, "blocks.0.attn.hook_z", "blocks.0.attn.hook_v");
        model.forward(IDS, firstToken, PhiModel.Logits.NONE);
        float[] zs = z.get("blocks.0.attn.hook_z").data();
        float[] vs = z.get("blocks.0.attn.hook_v").data();
        for (int q = 0; q < IDS.length; q++) {
            assertArrayEquals(Arrays.copyOfRange(vs, 0, 80), Arrays.copyOfRange(zs, q * 80, q * 80 + 80), 0f, "query " + q);
        }
    }

    @Test
    void cachedDecodingFiresTheSameActivationsOneRowAtATime() {
        Hooks prefillHooks = model.newHooks();
        ActivationCache prefill = ActivationCache.capture(prefillHooks, "blocks.*.mlp.hook_post", "blocks.*.attn.hook_pattern",
                "blocks.*.hook_resid_post");
        model.forward(IDS, prefillHooks, PhiModel.Logits.NONE);

        try (KVCache cache = model.newCache(IDS.length)) {
            model.forward(Arrays.copyOf(IDS, 6), cache, PhiModel.Logits.NONE);
            for (int t = 6; t < IDS.length; t++) {
                Hooks step = model.newHooks();
                ActivationCache row = ActivationCache.capture(step, "blocks.*.mlp.hook_post", "blocks.*.attn.hook_pattern",
                        "blocks.*.hook_resid_post");
                List<int[]> positions = new ArrayList<>();
                step.add("blocks.0.hook_resid_post", a -> positions.add(a.positions()));
                model.forward(new int[] {IDS[t]}, cache, step, PhiModel.Logits.NONE);
                assertArrayEquals(new int[] {t}, positions.getFirst());
                assertArrayEquals(new int[] {4, 1, t + 1}, row.get("blocks.1.attn.hook_pattern").shape());
                for (String name : List.of("blocks.2.mlp.hook_post", "blocks.0.hook_resid_post")) {
                    int width = row.get(name).shape()[1];
                    float[] expected = Arrays.copyOfRange(prefill.get(name).data(), t * width, (t + 1) * width);
                    assertArrayEquals(expected, row.get(name).data(), 1e-5f, name + " at " + t);
                }
                float[] fullPattern = prefill.get("blocks.1.attn.hook_pattern").data();
                float[] stepPattern = row.get("blocks.1.attn.hook_pattern").data();
                for (int h = 0; h < 4; h++) {
                    for (int k = 0; k <= t; k++) {
                        assertEquals(fullPattern[(h * IDS.length + t) * IDS.length + k], stepPattern[h * (t + 1) + k], 1e-6f);
                    }
                }
            }
        }
    }

    @Test
    void activationIndexingIsChecked() {
        int[] fired = {0};
        Hooks hooks = model.newHooks().add("blocks.0.attn.hook_q", a -> {
            assertThrows(IndexOutOfBoundsException.class, () -> a.get(0, 4, 0));
            assertThrows(IllegalArgumentException.class, () -> a.get(0, 0));
            fired[0]++;
        });
        model.forward(IDS, hooks, PhiModel.Logits.NONE);
        assertEquals(1, fired[0], "the hook, and so its assertions, ran once");
    }
}

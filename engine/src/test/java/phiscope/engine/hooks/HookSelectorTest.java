package phiscope.engine.hooks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import phiscope.engine.Fixtures;
import phiscope.engine.model.PhiConfig;
import phiscope.engine.model.PhiModel;

/** Selectors on the tiny fixture: 3 blocks, d_model 80, 4 heads x 20, MLP 300. */
class HookSelectorTest {

    private static PhiModel model;
    private static final int[] IDS = {3, 17, 250, 9, 4, 100};

    @BeforeAll
    static void load() {
        model = PhiModel.load(Fixtures.tiny("float32"), 1);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void slicesResolveLikePython() {
        assertArrayEquals(new int[] {5}, IndexSlice.parse("-1").resolve(6, "position"));
        assertArrayEquals(new int[] {3, 4, 5}, IndexSlice.parse("-3:").resolve(6, "position"));
        assertArrayEquals(new int[] {0, 1}, IndexSlice.parse(":2").resolve(6, "position"));
        assertArrayEquals(new int[] {2, 0}, IndexSlice.parse("2, 0").resolve(6, "head"));
        assertArrayEquals(new int[] {0, 1, 2, 3}, IndexSlice.parse("0:99").resolve(4, "head"));
        IllegalArgumentException outOfRange = assertThrows(IllegalArgumentException.class, () -> IndexSlice.parse("7").resolve(6, "position"));
        assertEquals("position 7 is out of range: there are 6 (valid: 0..5 or -6..-1)", outOfRange.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IndexSlice.parse("1,1").resolve(6, "head"));
        assertThrows(IllegalArgumentException.class, () -> IndexSlice.parse("4:2").resolve(6, "head"));
        assertThrows(IllegalArgumentException.class, () -> IndexSlice.parse("x"));
    }

    @Test
    void namesLayersHeadsAndPositionsSelectPoints() {
        PhiConfig c = model.config();
        assertEquals(List.of("blocks.0.hook_resid_post", "blocks.1.hook_resid_post"),
                HookSelector.parse("blocks.0:2.hook_resid_post").points(c).stream().map(HookPoint::name).toList());
        assertEquals(List.of("blocks.2.hook_mlp_out", "blocks.0.hook_mlp_out"),
                HookSelector.parse("blocks.2,0.hook_mlp_out").points(c).stream().map(HookPoint::name).toList());
        HookSelector pattern = HookSelector.parse("blocks.1.attn.hook_pattern[head=2]");
        assertArrayEquals(new int[] {1, 6, 6}, pattern.selectedShape(pattern.points(c).getFirst(), c, 6, 6));
        HookSelector z = HookSelector.parse("blocks.*.attn.hook_z[head=0,3][pos=-2:]");
        assertEquals(3, z.points(c).size());
        assertArrayEquals(new int[] {2, 2, 20}, z.selectedShape(z.points(c).getFirst(), c, 6, 6));

        assertTrue(assertThrows(IllegalArgumentException.class, () -> HookSelector.parse("blocks.0.hook_resid_post[head=1]").points(c))
                .getMessage().contains("needs a hook with a head dimension"));
        assertThrows(IllegalArgumentException.class, () -> HookSelector.parse("blocks.0.attn.hook_z[head=4]").points(c));
        assertThrows(IllegalArgumentException.class, () -> HookSelector.parse("blocks.1,5.hook_resid_post").points(c));
        assertEquals(3, HookSelector.parse("blocks.0:99.hook_resid_post").points(c).size(), "ranges clamp as in Python");
        assertThrows(UnknownHookException.class, () -> HookSelector.parse("blocks.*.hook_resid_mid").points(c));
        assertThrows(IllegalArgumentException.class, () -> HookSelector.parse("blocks.0.attn.hook_z[layer=1]"));
    }

    @Test
    void extractionKeepsExactlyTheSelectedValues() {
        Hooks hooks = model.newHooks();
        ActivationCache whole = ActivationCache.capture(hooks, "blocks.1.attn.hook_pattern", "blocks.0.attn.hook_z");
        try (ActivationCache sliced = ActivationCache.withBudget(1 << 20, ActivationCache.Precision.F32)) {
            sliced.record(hooks, HookSelector.parseAll(List.of("blocks.1.attn.hook_pattern[head=2][pos=-1]",
                    "blocks.0.attn.hook_z[head=3,1][pos=0,4]")), "");
            model.forward(IDS, hooks, PhiModel.Logits.NONE);

            float[] pattern = whole.get("blocks.1.attn.hook_pattern").data();
            ActivationCache.Entry row = sliced.get("blocks.1.attn.hook_pattern");
            assertArrayEquals(new int[] {1, 1, 6}, row.shape());
            for (int k = 0; k < 6; k++) {
                assertEquals(pattern[(2 * 6 + 5) * 6 + k], row.data()[k]);
            }
            float[] z = whole.get("blocks.0.attn.hook_z").data();
            ActivationCache.Entry zs = sliced.get("blocks.0.attn.hook_z");
            assertArrayEquals(new int[] {2, 2, 20}, zs.shape());
            int at = 0;
            for (int t : new int[] {0, 4}) {
                for (int h : new int[] {3, 1}) {
                    for (int i = 0; i < 20; i++) {
                        assertEquals(z[(t * 4 + h) * 20 + i], zs.data()[at++]);
                    }
                }
            }
        }
    }
}

package phiscope.engine.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import phiscope.engine.Fixtures;
import phiscope.engine.model.PhiModel;

class ResidualCheckTest {

    private static PhiModel model;
    private static final int[] IDS = {3, 17, 250, 9, 4, 100};

    @BeforeAll
    static void load() {
        model = PhiModel.load(Fixtures.tiny("float16"), 1);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void holdsForAPlainRunAndForEditsOfTheSumsInputs() {
        Hooks hooks = model.newHooks();
        ResidualCheck check = ResidualCheck.attach(hooks);
        // Registered after the check, yet the check sees the edited values: observers run last.
        hooks.add("blocks.1.hook_attn_out", a -> a.set(a.get(2, 5) + 3f, 2, 5));
        hooks.add("blocks.2.hook_resid_pre", a -> a.set(7f, 0, 0));
        model.forward(IDS, hooks, PhiModel.Logits.NONE);
        assertTrue(check.holds(), check.report());
        assertEquals("residual identity holds in all 3 block passes checked", check.report());
    }

    @Test
    void reportsAHookThatWritesTheResidualStreamAfterTheSum() {
        Hooks hooks = model.newHooks();
        ResidualCheck check = ResidualCheck.attach(hooks);
        hooks.add("blocks.1.hook_resid_post", a -> a.set(a.get(4, 10) + 0.5f, 4, 10));
        model.forward(IDS, hooks, PhiModel.Logits.NONE);
        assertFalse(check.holds());
        assertEquals(1, check.violations().size());
        ResidualCheck.Violation v = check.violations().getFirst();
        assertEquals(1, v.block());
        assertEquals(4, v.row());
        assertEquals(10, v.column());
        assertEquals(0.5f, v.actual() - v.expected(), 1e-5f);
        assertTrue(check.report().startsWith("residual identity violated in 1 of 3 block passes"), check.report());
    }
}

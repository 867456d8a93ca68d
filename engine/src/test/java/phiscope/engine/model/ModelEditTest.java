package phiscope.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import phiscope.engine.Fixtures;
import phiscope.engine.hooks.Activation;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.hooks.ModelEdit;
import phiscope.engine.tensor.Ops;

class ModelEditTest {

    /** Adds 0.5 to channel 3 of block 0's residual stream at sequence position 2 only. */
    private static final ModelEdit AT_POSITION_TWO = hooks -> hooks.add("blocks.0.hook_resid_post", (Activation a) -> {
        int width = a.size() / a.shape()[0];
        for (int row = 0; row < a.shape()[0]; row++) {
            if (a.positions()[row] == 2) a.data()[a.offset() + row * width + 3] += 0.5f;
        }
    });

    @Test
    void anEditedModelRunsItsEditInEveryPassAndLeavesTheModelItCameFromAlone() {
        try (PhiModel model = PhiModel.load(Fixtures.tiny("float32"), 2)) {
            int[] ids = {5, 17, 42, 99, 7, 300};
            float[] before = model.forward(ids, PhiModel.Logits.ALL);
            PhiModel edited = model.edited(AT_POSITION_TWO);

            Hooks byHand = model.newHooks();
            AT_POSITION_TWO.register(byHand);
            float[] expected = model.forward(ids, byHand, PhiModel.Logits.ALL);
            assertArrayEquals(expected, edited.forward(ids, PhiModel.Logits.ALL), "the edited model is the model with the edit's hooks");
            assertArrayEquals(before, model.forward(ids, PhiModel.Logits.ALL), "the model it came from is unchanged");
            assertFalse(Arrays.equals(before, expected), "the edit changes the logits");
            // Positions before the edited one are untouched (a causal model), later ones are not.
            assertArrayEquals(Arrays.copyOf(before, 2 * 515), Arrays.copyOf(expected, 2 * 515));

            // Packed scoring sees the edit at each text's own position 2, whatever it is packed with.
            List<int[]> texts = List.of(ids, new int[] {8, 9, 10, 11}, new int[] {3, 4});
            List<float[]> packed = edited.tokenLogProbs(texts, 64);
            List<float[]> alone = edited.tokenLogProbs(texts, 1);
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(alone.get(i), packed.get(i), "text " + i + " scored differently when packed");
            }
            for (int t = 0; t + 1 < ids.length; t++) {
                float logProb = expected[t * 515 + ids[t + 1]] - Ops.logSumExp(expected, t * 515, 515);
                assertEquals(logProb, packed.get(0)[t], 1e-5, "token " + (t + 1));
            }

            IllegalStateException twice = assertThrows(IllegalStateException.class, () -> edited.edited(AT_POSITION_TWO));
            assertEquals("this model is edited already; combine the edits into one", twice.getMessage());
        }
    }
}

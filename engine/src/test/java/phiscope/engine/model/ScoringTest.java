package phiscope.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import phiscope.engine.Fixtures;
import phiscope.engine.tensor.Ops;

class ScoringTest {

    @Test
    void packedScoringEqualsScoringAloneBitForBitAndMatchesLogits() {
        try (PhiModel model = PhiModel.load(Fixtures.tiny("float16"), 2)) {
            SplittableRandom random = new SplittableRandom(5);
            List<int[]> texts = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                texts.add(random.ints(1 + random.nextInt(30), 0, 515).toArray());
            }
            // A text that repeats the model's own greedy choices, so that some flags are true.
            int[] greedyText = {7};
            for (int t = 0; t < 12; t++) {
                float[] logits = model.forward(greedyText, PhiModel.Logits.LAST);
                greedyText = Arrays.copyOf(greedyText, t + 2);
                greedyText[t + 1] = Sampler.argmax(logits, 0, 515);
            }
            texts.add(greedyText);
            List<ScoredTokens> scored = model.scoreTokens(texts, 64);
            List<float[]> packed = model.tokenLogProbs(texts, 64);
            List<float[]> alone = model.tokenLogProbs(texts, 1);
            for (boolean greedy : scored.getLast().greedy()) assertTrue(greedy, "the greedy text's tokens are greedy");
            for (int i = 0; i < texts.size(); i++) {
                int[] ids = texts.get(i);
                assertArrayEquals(packed.get(i), scored.get(i).logProbs());
                assertEquals(ids.length - 1, packed.get(i).length);
                assertArrayEquals(alone.get(i), packed.get(i), "text " + i + " scored differently when packed");
                float[] logits = model.forward(ids, PhiModel.Logits.ALL);
                for (int t = 0; t + 1 < ids.length; t++) {
                    float expected = logits[t * 515 + ids[t + 1]] - Ops.logSumExp(logits, t * 515, 515);
                    assertEquals(expected, packed.get(i)[t], 1e-5, "text " + i + " token " + (t + 1));
                    boolean greedy = Sampler.argmax(logits, t * 515, (t + 1) * 515) == ids[t + 1];
                    assertEquals(greedy, scored.get(i).greedy()[t], "text " + i + " token " + (t + 1) + " greedy");
                }
            }
        }
    }

    @Test
    void tooLongInputsAreRefusedClearly() {
        try (PhiModel model = PhiModel.load(Fixtures.tiny("float32"), 1)) {
            int[] tooLong = new int[model.config().maxPositions() + 1];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(tooLong, PhiModel.Logits.LAST));
            assertEquals("161 tokens do not fit: the limit is 160 (the model's context is 160 tokens)", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.tokenLogProbs(List.of(tooLong), 4096));
            IllegalArgumentException badId = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(new int[] {1, 515}, PhiModel.Logits.LAST));
            assertEquals("token id 515 at index 1 is outside the vocabulary (0..514)", badId.getMessage());
        }
    }
}

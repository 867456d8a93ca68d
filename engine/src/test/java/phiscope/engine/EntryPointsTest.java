package phiscope.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.UnknownHookException;
import phiscope.engine.model.PhiModel;

/** The TransformerLens-style entry points agree with the plain forward pass and with each other. */
class EntryPointsTest {

    private static final int[] IDS = {3, 17, 250, 9, 4, 100, 77, 512};
    private static Phi phi;

    @BeforeAll
    static void load() {
        phi = Phi.load(Fixtures.tiny("float32"), 2);
    }

    @AfterAll
    static void close() {
        phi.close();
    }

    @Test
    void runWithCacheReturnsTheForwardLogitsAndWhatItsSelectorsPick() {
        float[] plain = phi.model().forward(IDS, PhiModel.Logits.ALL);
        Phi.CachedRun run = phi.runWithCache(IDS, "blocks.*.hook_resid_post", "blocks.1.attn.hook_pattern[head=2]");
        assertArrayEquals(plain, run.logits());
        assertEquals(phi.config().numLayers() + 1, run.cache().names().size(), run.cache().names().toString());

        // The last block's residual stream, normalised by ln_final and unembedded, is the model's output.
        ActivationCache.Entry last = run.cache().get("blocks." + (phi.config().numLayers() - 1) + ".hook_resid_post");
        float[] normalized = new float[last.data().length];
        phi.model().weights().finalNorm().apply(last.data(), IDS.length, normalized);
        int vocab = phi.config().vocabSize();
        int[] rowsSeen = {0};
        phi.model().unembed(normalized, 0, IDS.length, (r, logits, offset) -> {
            assertArrayEquals(Arrays.copyOfRange(plain, r * vocab, (r + 1) * vocab), Arrays.copyOfRange(logits, offset, offset + vocab),
                    "row " + r);
            rowsSeen[0]++;
        });
        assertEquals(IDS.length, rowsSeen[0]);

        ActivationCache.Entry pattern = run.cache().get("blocks.1.attn.hook_pattern");
        assertArrayEquals(new int[] {1, IDS.length, IDS.length}, pattern.shape());
        float rowSum = 0;
        for (int k = 0; k < IDS.length; k++) {
            rowSum += pattern.get(0, IDS.length - 1, k);
        }
        assertEquals(1f, rowSum, 1e-6f);
        assertEquals(0f, pattern.get(0, 2, 3), "causal: query 2 does not see key 3");
    }

    @Test
    void runFiresTheHooksItIsGivenAndMatchesTheForwardPass() {
        int[] fired = {0};
        float[] hooked = phi.run(IDS, phi.newHooks().add("blocks.0.hook_mlp_out", a -> fired[0]++));
        assertEquals(1, fired[0]);
        assertArrayEquals(phi.model().forward(IDS, PhiModel.Logits.ALL), hooked);

        float[] ablated = phi.run(IDS, phi.newHooks().add("blocks.0.hook_mlp_out", a -> Arrays.fill(a.data(), 0f)));
        assertTrue(!Arrays.equals(hooked, ablated), "a write hook changes the logits");
    }

    @Test
    void anUnknownSelectorFailsBeforeAnythingRuns() {
        UnknownHookException e = assertThrows(UnknownHookException.class, () -> phi.runWithCache(IDS, "blocks.0.hook_resid_psot"));
        assertTrue(e.getMessage().contains("blocks.0.hook_resid_post"), e.getMessage());
    }

    @Test
    void entriesIndexByDimensionAndRefuseIndicesOutsideTheirShape() {
        ActivationCache.Entry entry = new ActivationCache.Entry(new int[] {2, 3, 4}, new float[24]);
        for (int i = 0; i < 24; i++) {
            entry.data()[i] = i;
        }
        assertEquals(1 * 12 + 2 * 4 + 3, entry.get(1, 2, 3));
        assertArrayEquals(new float[] {12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}, entry.row(1));
        IndexOutOfBoundsException outside = assertThrows(IndexOutOfBoundsException.class, () -> entry.get(0, 3, 0));
        assertEquals("index 3 of dimension 1 is outside 0..2 of shape [2, 3, 4]", outside.getMessage());
        IllegalArgumentException tooFew = assertThrows(IllegalArgumentException.class, () -> entry.get(1, 2));
        assertEquals("2 indices for a tensor of shape [2, 3, 4]; give 3", tooFew.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> entry.row(2));
    }

    @Test
    void packedScoringReadsTheSameLogitsAsTheForwardPass() {
        float[] logits = phi.model().forward(IDS, PhiModel.Logits.ALL);
        int vocab = phi.config().vocabSize();
        float[] scored = phi.model().tokenLogProbs(List.of(IDS)).getFirst();
        for (int t = 0; t + 1 < IDS.length; t++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, logits[t * vocab + v]);
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                sum += Math.exp(logits[t * vocab + v] - max);
            }
            assertEquals(logits[t * vocab + IDS[t + 1]] - max - Math.log(sum), scored[t], 1e-5, "token " + (t + 1));
        }
    }
}

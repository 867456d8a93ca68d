package phiscope.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import phiscope.engine.Fixtures;

/**
 * Every logit is the same chain of float32 operations however it is computed: weights mapped or
 * copied into memory, one thread or two, the whole prompt at once or one token at a time through
 * the KV cache.
 */
class DeterminismTest {

    private static final int[] IDS = new SplittableRandom(5).ints(23, 0, 50000).toArray();

    @Test
    void storageThreadsAndCachedDecodingGiveTheSameBits() {
        float[] reference = prefill(WeightOptions.Storage.MEMORY, 2);
        assertSameBits(reference, prefill(WeightOptions.Storage.MMAP, 2), "mapped weights");
        assertSameBits(reference, prefill(WeightOptions.Storage.MEMORY, 1), "one thread");
        try (PhiModel phi = PhiModel.load(Fixtures.NANOPHI, 2)) {
            int vocab = phi.config().vocabSize();
            try (KVCache cache = phi.newCache(IDS.length)) {
                for (int t = 0; t < IDS.length; t++) {
                    float[] step = phi.forward(new int[] {IDS[t]}, cache, PhiModel.Logits.LAST);
                    assertSameBits(Arrays.copyOfRange(reference, t * vocab, (t + 1) * vocab), step, "decoded position " + t);
                }
            }
        }
    }

    @Test
    void longPromptsRunInChunksWithTheBitsOfOnePass() {
        int[] ids = new SplittableRandom(6).ints(PhiModel.PREFILL_CHUNK * 2 + 37, 0, 50000).toArray();
        try (PhiModel phi = PhiModel.load(Fixtures.NANOPHI, 2)) {
            // Without a cache to fill, a prompt runs in one pass, its blocks sharing one block's keys.
            float[] whole = phi.forward(ids, PhiModel.Logits.ALL);
            float[] chunked;
            try (KVCache cache = phi.newCache(ids.length + 1)) {
                chunked = phi.forward(ids, cache, PhiModel.Logits.ALL);
                assertEquals(ids.length, cache.length());
                float[] next = phi.forward(new int[] {42}, cache, PhiModel.Logits.LAST);
                int[] longer = Arrays.copyOf(ids, ids.length + 1);
                longer[ids.length] = 42;
                assertSameBits(phi.forward(longer, PhiModel.Logits.LAST), next, "decoding after a chunked prefill");
            }
            assertSameBits(whole, chunked, "chunked prefill");
            // Any hook makes a cached prompt run in one pass, so that the hook sees all of it.
            int[] rows = new int[1];
            try (KVCache cache = phi.newCache(ids.length)) {
                float[] hooked = phi.forward(ids, cache, phi.newHooks().add("blocks.0.hook_resid_pre", a -> rows[0] = a.shape()[0]),
                        PhiModel.Logits.ALL);
                assertSameBits(whole, hooked, "hooked prefill");
            }
            assertEquals(ids.length, rows[0]);
            float[] last = phi.forward(ids, PhiModel.Logits.LAST);
            int vocab = phi.config().vocabSize();
            assertSameBits(Arrays.copyOfRange(whole, (ids.length - 1) * vocab, ids.length * vocab), last, "last row");
            assertEquals(0, phi.forward(ids, PhiModel.Logits.NONE).length);
        }
    }

    private static float[] prefill(WeightOptions.Storage storage, int threads) {
        try (PhiModel phi = PhiModel.load(Fixtures.NANOPHI, threads, new WeightOptions(storage, Optional.empty()))) {
            return phi.forward(IDS, PhiModel.Logits.ALL);
        }
    }

    private static void assertSameBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    what + ": logit " + i + " is " + actual[i] + ", not " + expected[i]);
        }
    }
}

package phiscope.probes.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import phiscope.engine.Phi;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.io.SafeTensorsFile;
import phiscope.engine.io.Tensor;
import phiscope.probes.Nanophi;
import phiscope.probes.Progress;

/**
 * The four SAELens fixtures (fixtures/sae/README.md): each SAE spliced into nanophi-py must give
 * the pre-activations, feature activations and reconstructions computed in float64 from the
 * Hugging Face activations, within 1e-3, a feature differing in whether it fires only where its
 * pre-activation is within 1e-3 of the boundary that decides it.
 */
class SaeFixturesTest {

    static final Path FIXTURES = Path.of("src/test/resources/fixtures/sae");
    private static final double TOLERANCE = 1e-3;

    @ParameterizedTest
    @ValueSource(strings = {"topk-resid2", "standard-resid2-legacy", "jumprelu-resid2-f16", "gated-resid2"})
    void reproducesTheExpectedOutputs(String folder) {
        Path dir = FIXTURES.resolve(folder);
        SparseAutoencoder sae = SparseAutoencoder.load(dir);
        Phi phi = Nanophi.phi();
        List<String> texts = SaeFeatures.readTexts(dir.resolve("prompts.jsonl"));
        assertEquals(6, texts.size());
        String hook = sae.config().hookName();
        try (ActivationCache cache = ActivationCache.withBudget(1L << 30, ActivationCache.Precision.F32);
             Arena arena = Arena.ofConfined()) {
            SaeFeatures.record(phi, List.of(sae), texts, cache, Progress.NONE);
            SafeTensorsFile expected = SafeTensorsFile.open(dir.resolve("expected.safetensors"), arena);
            long active = 0;
            long expectedActive = 0;
            int boundaryFlips = 0;
            for (int k = 0; k < texts.size(); k++) {
                String prefix = "s" + k + "." + hook + ".";
                Tensor expectedPre = expected.tensor(prefix + "hook_sae_acts_pre");
                ActivationCache.Entry pre = cache.get(prefix + "hook_sae_acts_pre");
                ActivationCache.Entry post = cache.get(prefix + "hook_sae_acts_post");
                ActivationCache.Entry recons = cache.get(prefix + "hook_sae_recons");
                assertArrayEquals(expectedPre.shape(), pre.shape(), prefix + "acts_pre shape");
                assertArrayEquals(expected.tensor(prefix + "hook_sae_recons").shape(), recons.shape(), prefix + "recons shape");
                assertClose(expectedPre.toFloatArray(), pre.data(), prefix + "hook_sae_acts_pre");
                float[] expectedPost = expected.tensor(prefix + "hook_sae_acts_post").toFloatArray();
                float[] boundaryDistance = boundaryDistance(sae, texts.get(k), phi, pre);
                boolean rowFlipped = false;
                for (int i = 0; i < expectedPost.length; i++) {
                    if (Math.abs(expectedPost[i] - post.data()[i]) > TOLERANCE) {
                        assertTrue(boundaryDistance[i] <= TOLERANCE, prefix + "hook_sae_acts_post[" + i + "] = " + post.data()[i]
                                + ", expected " + expectedPost[i] + ", and its pre-activation is " + boundaryDistance[i]
                                + " from the boundary");
                        boundaryFlips++;
                        rowFlipped = true;
                    }
                    if (post.data()[i] > 0) {
                        active++;
                    }
                    if (expectedPost[i] > 0) {
                        expectedActive++;
                    }
                }
                if (!rowFlipped) {
                    assertClose(expected.tensor(prefix + "hook_sae_recons").toFloatArray(), recons.data(), prefix + "hook_sae_recons");
                }
                if (sae.config().architecture() == SaeConfig.Architecture.TOPK) {
                    for (int t = 0; t < post.shape()[0]; t++) {
                        int firing = 0;
                        for (int f = 0; f < sae.dSae(); f++) {
                            firing += post.get(t, f) > 0 ? 1 : 0;
                        }
                        assertEquals(sae.config().k(), firing, prefix + " token " + t + ": features firing");
                    }
                }
            }
            assertEquals(expectedActive, active, boundaryFlips, "features firing over all tokens (L0 × tokens)");
            assertTrue(boundaryFlips <= 2, boundaryFlips + " features flipped at their boundary");
        }
    }

    /**
     * How far each pre-activation lies from the value that decides whether it fires: the k-th
     * largest for topk, the threshold for jumprelu, zero (of the gate, for gated) otherwise.
     */
    private static float[] boundaryDistance(SparseAutoencoder sae, String text, Phi phi, ActivationCache.Entry pre) {
        int rows = pre.shape()[0];
        int dSae = sae.dSae();
        float[] distance = new float[rows * dSae];
        float[] decider = pre.data();
        if (sae.config().architecture() == SaeConfig.Architecture.GATED) {
            ActivationCache input = phi.runWithCache(phi.encode(text), sae.config().hookName()).cache();
            decider = sae.preActivate(input.get(sae.config().hookName()).data(), rows).gatePre();
        }
        float[] thresholds = sae.config().architecture() == SaeConfig.Architecture.JUMPRELU ? thresholds(sae) : null;
        for (int r = 0; r < rows; r++) {
            float boundary = 0f;
            if (sae.config().architecture() == SaeConfig.Architecture.TOPK) {
                float[] sorted = java.util.Arrays.copyOfRange(decider, r * dSae, (r + 1) * dSae);
                java.util.Arrays.sort(sorted);
                boundary = sorted[dSae - sae.config().k()];
            }
            for (int f = 0; f < dSae; f++) {
                float b = thresholds != null ? thresholds[f] : boundary;
                distance[r * dSae + f] = Math.abs(decider[r * dSae + f] - b);
            }
        }
        return distance;
    }

    private static float[] thresholds(SparseAutoencoder sae) {
        try (Arena arena = Arena.ofConfined()) {
            return SafeTensorsFile.open(sae.folder().resolve("sae_weights.safetensors"), arena).tensor("threshold").toFloatArray();
        }
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= TOLERANCE, what + ": largest difference " + worst + " at " + at + " (expected " + (at < 0 ? 0 : expected[at])
                + ", got " + (at < 0 ? 0 : actual[at]) + ")");
    }
}

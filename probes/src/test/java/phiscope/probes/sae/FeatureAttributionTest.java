package phiscope.probes.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.Phi;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.model.PhiModel;
import phiscope.probes.Nanophi;
import phiscope.probes.lens.DirectLogitAttribution;

/** Feature attribution adds up: features, b_dec and error give the hook's share, and on the last block the model's difference. */
class FeatureAttributionTest {

    private static final Phi PHI = Nanophi.phi();
    private static final int[] IDS = PHI.encode("def add(first, second):\n    return first +");
    private static final int SECOND = PHI.encode(" second")[0];
    private static final int FIRST = PHI.encode(" first")[0];

    private static double sum(FeatureAttribution.Result result) {
        return result.features().stream().mapToDouble(FeatureAttribution.Part::value).sum() + result.decoderBias() + result.error();
    }

    @Test
    void theFeaturesAreTheSplicedOnesAndTheirSharesAddUpToTheHooks() {
        SparseAutoencoder sae = SparseAutoencoder.load(ShippedSaeTest.SHIPPED);
        int position = IDS.length - 1;
        FeatureAttribution.Result result = FeatureAttribution.compute(PHI, sae, IDS, position, SECOND, FIRST);
        assertEquals(sum(result), result.hook(), 1e-4 * Math.max(1, Math.abs(result.hook())));

        ActivationCache cache = ActivationCache.withBudget(1L << 24, ActivationCache.Precision.F32);
        var hooks = PHI.newHooks();
        SaeSplice.attach(hooks, sae, SaeSplice.Output.WITH_ERROR).record(cache, "", "hook_sae_acts_post");
        PHI.model().forward(IDS, hooks, PhiModel.Logits.NONE);
        ActivationCache.Entry acts = cache.get("blocks.2.hook_resid_post.hook_sae_acts_post");
        int firing = 0;
        for (int f = 0; f < sae.dSae(); f++) {
            firing += acts.get(position, f) > 0 ? 1 : 0;
        }
        assertEquals(firing, result.features().size());
        double previous = Double.POSITIVE_INFINITY;
        for (FeatureAttribution.Part part : result.features()) {
            assertEquals(acts.get(position, part.feature()), part.activation(), 0f, "feature " + part.feature());
            assertTrue(Math.abs(part.value()) <= previous, "largest magnitude first");
            previous = Math.abs(part.value());
        }
        // a block-2 SAE skips blocks 3's direct path: its share is not the model's whole difference
        DirectLogitAttribution.Result whole = DirectLogitAttribution.compute(PHI.model(), IDS, position, SECOND, FIRST);
        assertEquals(whole.modelLogitDifference(), result.modelLogitDifference(), 1e-5);
    }

    @Test
    void onTheLastBlocksResidualTheHooksShareIsTheModelsLogitDifference(@TempDir Path dir) throws Exception {
        Path last = Files.createDirectories(dir.resolve("last-block"));
        Files.writeString(last.resolve("cfg.json"), Files.readString(ShippedSaeTest.SHIPPED.resolve("cfg.json"))
                .replace("blocks.2.hook_resid_post", "blocks.3.hook_resid_post"));
        Files.copy(ShippedSaeTest.SHIPPED.resolve("sae_weights.safetensors"), last.resolve("sae_weights.safetensors"));
        for (int position : new int[] {IDS.length - 1, 3}) {
            FeatureAttribution.Result result = FeatureAttribution.compute(PHI, SparseAutoencoder.load(last), IDS, position, SECOND, FIRST);
            assertEquals(result.modelLogitDifference(), result.hook() + result.constant(), 1e-3, "position " + position);
            assertEquals(result.hook(), sum(result), 1e-4 * Math.max(1, Math.abs(result.hook())));
            assertTrue(result.features().size() > 0 && result.features().size() <= 32);
        }
    }

    @Test
    void aPositionOrTokenOutOfRangeIsRefused() {
        SparseAutoencoder sae = SparseAutoencoder.load(ShippedSaeTest.SHIPPED);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FeatureAttribution.compute(PHI, sae, IDS, IDS.length, SECOND, FIRST))
                .getMessage().contains("out of range for " + IDS.length + " tokens"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FeatureAttribution.compute(PHI, sae, IDS, 0, 60000, FIRST))
                .getMessage().contains("outside the vocabulary"));
    }
}

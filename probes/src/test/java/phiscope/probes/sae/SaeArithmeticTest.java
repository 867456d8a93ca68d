package phiscope.probes.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of docs/sae.md the fixtures do not cover, on SAEs small enough to check by hand. */
class SaeArithmeticTest {

    private static final float[] X = {1f, 2f, 3f, 6f};

    private static SparseAutoencoder identity(Path dir, String normalization) {
        ObjectNode cfg = SaeFolders.config("standard", 4, 4, "blocks.0.hook_resid_post");
        cfg.put("normalize_activations", normalization);
        Map<String, float[][]> tensors = new LinkedHashMap<>();
        tensors.put("W_enc", SaeFolders.identity(4));
        tensors.put("W_dec", SaeFolders.identity(4));
        tensors.put("b_dec", SaeFolders.vector(new float[4]));
        tensors.put("b_enc", SaeFolders.vector(new float[4]));
        return SparseAutoencoder.load(SaeFolders.write(dir, cfg, tensors));
    }

    @Test
    void constantNormRescaleScalesToNormSqrtDinAndBack(@TempDir Path dir) {
        SparseAutoencoder sae = identity(dir, "constant_norm_rescale");
        SparseAutoencoder.Encoding encoding = sae.encode(X, 1);
        double norm = Math.sqrt(1 + 4 + 9 + 36);
        for (int i = 0; i < 4; i++) {
            assertEquals(X[i] * 2 / norm, encoding.actsPre()[i], 1e-6);
        }
        assertArrayEquals(X, sae.decode(encoding), 1e-5f);
    }

    @Test
    void layerNormDividesBySigmaPlusEpsAndMultipliesBackBySigma(@TempDir Path dir) {
        SparseAutoencoder sae = identity(dir, "layer_norm");
        SparseAutoencoder.Encoding encoding = sae.encode(X, 1);
        double mean = 3;
        double sigma = Math.sqrt((4 + 1 + 0 + 9) / 3.0); // Bessel's correction, as torch.std
        float[] recons = sae.decode(encoding);
        for (int i = 0; i < 4; i++) {
            double normalized = (X[i] - mean) / (sigma + 1e-5);
            assertEquals(normalized, encoding.actsPre()[i], 1e-6);
            assertEquals(Math.max(normalized, 0) * sigma + mean, recons[i], 1e-5);
        }
    }

    @Test
    void topkRescaledByDecoderNormRanksByTheScaledValueAndDecodesAsIfNormalised(@TempDir Path dir) {
        ObjectNode cfg = SaeFolders.config("topk", 2, 2, "blocks.0.hook_resid_post");
        cfg.put("k", 1);
        cfg.put("rescale_acts_by_decoder_norm", true);
        Map<String, float[][]> tensors = new LinkedHashMap<>();
        tensors.put("W_enc", SaeFolders.identity(2));
        tensors.put("W_dec", new float[][] {{2f, 0f}, {0f, 0.5f}});
        tensors.put("b_dec", SaeFolders.vector(new float[2]));
        tensors.put("b_enc", SaeFolders.vector(new float[2]));
        SparseAutoencoder rescaled = SparseAutoencoder.load(SaeFolders.write(dir.resolve("rescaled"), cfg, tensors));
        SparseAutoencoder.Encoding encoding = rescaled.encode(new float[] {1f, 3f}, 1);
        // ranked values 1·2 = 2 and 3·0.5 = 1.5: feature 0 wins, although its raw pre-activation is the smaller
        assertArrayEquals(new float[] {2f, 0f}, encoding.actsPost());
        assertArrayEquals(new float[] {2f, 0f}, rescaled.decode(encoding));

        cfg.put("rescale_acts_by_decoder_norm", false);
        SparseAutoencoder plain = SparseAutoencoder.load(SaeFolders.write(dir.resolve("plain"), cfg, tensors));
        SparseAutoencoder.Encoding raw = plain.encode(new float[] {1f, 3f}, 1);
        assertArrayEquals(new float[] {0f, 3f}, raw.actsPost());
        assertArrayEquals(new float[] {0f, 1.5f}, plain.decode(raw));
    }
}

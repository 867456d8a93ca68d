package phiscope.probes.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.io.ModelFormatException;
import phiscope.probes.Nanophi;

/** Reading SAELens folders: both cfg.json layouts, and a clear error for every way a folder can be wrong. */
class SaeLoadingTest {

    private static final String HOOK = "blocks.1.hook_resid_post";

    private static Map<String, float[][]> standardWeights(int dIn, int dSae) {
        Map<String, float[][]> tensors = new LinkedHashMap<>();
        tensors.put("W_enc", new float[dIn][dSae]);
        tensors.put("W_dec", new float[dSae][dIn]);
        tensors.put("b_dec", SaeFolders.vector(new float[dIn]));
        tensors.put("b_enc", SaeFolders.vector(new float[dSae]));
        return tensors;
    }

    private static String loadError(Path dir) {
        return assertThrows(ModelFormatException.class, () -> SparseAutoencoder.load(dir)).getMessage();
    }

    @Test
    void theFixturesReadAsTheirReadmeDescribesThem() {
        SaeConfig topk = SparseAutoencoder.load(SaeFixturesTest.FIXTURES.resolve("topk-resid2")).config();
        assertEquals(SaeConfig.Architecture.TOPK, topk.architecture());
        assertEquals(32, topk.k());
        assertEquals("blocks.2.hook_resid_post", topk.hookName());
        SaeConfig legacy = SparseAutoencoder.load(SaeFixturesTest.FIXTURES.resolve("standard-resid2-legacy")).config();
        assertEquals(SaeConfig.Architecture.STANDARD, legacy.architecture());
        assertEquals("blocks.2.hook_resid_post", legacy.hookName());
        assertTrue(legacy.applyBDecToInput());
        SaeConfig f16 = SparseAutoencoder.load(SaeFixturesTest.FIXTURES.resolve("jumprelu-resid2-f16")).config();
        assertEquals("float16", f16.dtype());
        assertEquals(1024, f16.dSae());
    }

    @Test
    void olderSaeLensKeysAreConvertedAsSaeLensConvertsThem(@TempDir Path dir) throws Exception {
        ObjectNode cfg = SaeFolders.config("standard", 4, 6, HOOK);
        cfg.remove("metadata");
        cfg.remove("architecture");
        cfg.put("hook_point", HOOK);
        cfg.put("activation_fn_str", "topk");
        cfg.putObject("activation_fn_kwargs").put("k", 3);
        cfg.put("normalize_activations", true);
        SaeFolders.write(dir, cfg, standardWeights(4, 6));
        SaeConfig read = SparseAutoencoder.load(dir).config();
        assertEquals(SaeConfig.Architecture.TOPK, read.architecture());
        assertEquals(3, read.k());
        assertEquals(HOOK, read.hookName());
        assertEquals(SaeConfig.Normalization.EXPECTED_AVERAGE_ONLY_IN, read.normalization());

        cfg.put("normalize_activations", false);
        cfg.put("activation_fn_str", "relu");
        SaeFolders.write(dir, cfg, standardWeights(4, 6));
        SaeConfig relu = SparseAutoencoder.load(dir).config();
        assertEquals(SaeConfig.Architecture.STANDARD, relu.architecture());
        assertEquals(SaeConfig.Normalization.NONE, relu.normalization());
        assertEquals(0, relu.k());

        cfg.put("activation_fn_str", "tanh-relu");
        SaeFolders.write(dir, cfg, standardWeights(4, 6));
        String message = loadError(dir);
        assertTrue(message.contains("cfg.json") && message.contains("\"activation_fn_str\": \"tanh-relu\""), message);
    }

    @Test
    void configErrorsNameTheFileAndTheField(@TempDir Path dir) throws Exception {
        ObjectNode cfg = SaeFolders.config("crosscoder", 4, 6, HOOK);
        SaeFolders.write(dir, cfg, standardWeights(4, 6));
        String unknown = loadError(dir);
        assertTrue(unknown.startsWith(dir.resolve("cfg.json").toString()), unknown);
        assertTrue(unknown.contains("\"architecture\": \"crosscoder\"") && unknown.contains("standard, gated, jumprelu or topk"), unknown);

        cfg = SaeFolders.config("standard", 4, 6, HOOK);
        cfg.put("d_sae", "six");
        SaeFolders.write(dir, cfg, standardWeights(4, 6));
        assertTrue(loadError(dir).contains("\"d_sae\" as a whole number"), loadError(dir));

        cfg = SaeFolders.config("topk", 4, 6, HOOK);
        SaeFolders.write(dir, cfg, standardWeights(4, 6));
        assertTrue(loadError(dir).contains("\"k\""), loadError(dir));

        cfg = SaeFolders.config("standard", 4, 6, HOOK);
        ((ObjectNode) cfg.get("metadata")).remove("hook_name");
        SaeFolders.write(dir, cfg, standardWeights(4, 6));
        assertTrue(loadError(dir).contains("\"hook_name\" in \"metadata\""), loadError(dir));

        cfg = SaeFolders.config("standard", 4, 6, HOOK);
        cfg.put("normalize_activations", "whiten");
        SaeFolders.write(dir, cfg, standardWeights(4, 6));
        assertTrue(loadError(dir).contains("\"normalize_activations\": \"whiten\""), loadError(dir));

        Files.writeString(dir.resolve("cfg.json"), "{\"d_in\": 4,");
        String malformed = loadError(dir);
        assertTrue(malformed.contains("cfg.json: not valid JSON"), malformed);
    }

    @Test
    void tensorErrorsNameTheFileAndTheTensor(@TempDir Path dir) {
        Map<String, float[][]> weights = standardWeights(4, 6);
        weights.remove("b_enc");
        SaeFolders.write(dir, SaeFolders.config("standard", 4, 6, HOOK), weights);
        String missing = loadError(dir);
        assertTrue(missing.startsWith(dir.resolve("sae_weights.safetensors").toString()) && missing.contains("no tensor 'b_enc'"), missing);

        weights = standardWeights(4, 6);
        weights.put("W_dec", new float[6][5]);
        SaeFolders.write(dir, SaeFolders.config("standard", 4, 6, HOOK), weights);
        String shape = loadError(dir);
        assertTrue(shape.contains("'W_dec' has shape [6, 5]") && shape.contains("[6, 4]"), shape);

        weights = standardWeights(4, 6);
        weights.put("threshold", SaeFolders.vector(new float[6]));
        SaeFolders.write(dir, SaeFolders.config("standard", 4, 6, HOOK), weights);
        String extra = loadError(dir);
        assertTrue(extra.contains("holds threshold") && extra.contains("\"architecture\""), extra);

        Path empty = dir.resolve("nothing");
        assertTrue(loadError(empty).contains("not a folder"), loadError(empty));
    }

    @Test
    void aSaeWhoseWidthDoesNotMatchItsHookIsRefusedWhenSpliced(@TempDir Path dir) {
        int width = Nanophi.phi().config().hiddenSize();
        SaeFolders.write(dir, SaeFolders.config("standard", width + 1, 6, HOOK), standardWeights(width + 1, 6));
        SparseAutoencoder sae = SparseAutoencoder.load(dir);
        String message = assertThrows(IllegalArgumentException.class,
                () -> SaeSplice.attach(Nanophi.phi().newHooks(), sae, SaeSplice.Output.WITH_ERROR)).getMessage();
        assertTrue(message.contains("\"d_in\": " + (width + 1)) && message.contains(HOOK + " has " + width + " values per token"), message);

        SaeFolders.write(dir, SaeFolders.config("standard", width, 6, "blocks.1.hook_resid_mid"), standardWeights(width, 6));
        SparseAutoencoder misnamed = SparseAutoencoder.load(dir);
        String unknown = assertThrows(IllegalArgumentException.class,
                () -> SaeSplice.attach(Nanophi.phi().newHooks(), misnamed, SaeSplice.Output.WITH_ERROR)).getMessage();
        assertTrue(unknown.contains("unknown hook 'blocks.1.hook_resid_mid'") && unknown.contains("blocks.1.hook_resid_p"), unknown);
    }
}

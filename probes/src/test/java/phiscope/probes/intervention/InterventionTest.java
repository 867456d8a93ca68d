package phiscope.probes.intervention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.Phi;
import phiscope.engine.io.Checkpoint;
import phiscope.engine.io.ModelFormatException;
import phiscope.engine.io.Tensor;
import phiscope.engine.model.CheckpointExport;
import phiscope.engine.model.PhiModel;
import phiscope.engine.tensor.DType;
import phiscope.probes.Nanophi;
import phiscope.probes.sae.SparseAutoencoder;
import phiscope.probes.steering.SteeringVector;

class InterventionTest {

    private static final Path SAE = Path.of("src/test/resources/fixtures/sae/standard-resid2-legacy");
    private static final int[] IDS = {4299, 3506, 7, 2124, 25, 198, 50284, 1441, 2124, 1343, 352, 198};

    @TempDir
    Path dir;

    private static SteeringVector vector(String hook, int rows, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] values = new float[rows][128];
        for (float[] row : values) {
            for (int j = 0; j < row.length; j++) row[j] = (float) random.nextGaussian();
        }
        return new SteeringVector(hook, "test", values, Map.of("seed", Long.toString(seed)));
    }

    /** Edits weights can express: three steering vectors, a zero-ablated head, mean-ablated neurons. */
    private static Intervention foldable(Phi phi) {
        float[] means = new float[512];
        for (int i = 0; i < means.length; i++) means[i] = 0.01f * (i % 7) - 0.02f;
        return new Intervention("foldable", List.of(
                new Intervention.Steer(vector("blocks.1.hook_resid_post", 1, 1), -2.5),
                new Intervention.Steer(vector("blocks.3.hook_resid_pre", 1, 2), 1.5),
                new Intervention.Steer(vector("blocks.0.hook_attn_out", 1, 3), 0.75),
                new Intervention.Ablate("blocks.2.attn.hook_z", new int[] {1, 3}, Intervention.Replacement.ZERO, null, null),
                new Intervention.Ablate("blocks.1.mlp.hook_post", new int[] {5, 17, 400}, Intervention.Replacement.MEAN, means, null)));
    }

    @Test
    void aSavedInterventionIsTheSameEditWhenLoadedBack() {
        Phi phi = Nanophi.phi();
        float[] means = new float[128];
        Arrays.fill(means, 0.25f);
        Intervention original = new Intervention("every kind", List.of(
                new Intervention.Steer(vector("blocks.1.hook_resid_pre", 1, 7), -4),
                new Intervention.Steer(vector("blocks.2.hook_resid_pre", 3, 8), 2),
                new Intervention.Ablate("blocks.0.attn.hook_z", new int[] {2}, Intervention.Replacement.ZERO, null, new int[] {1, 4}),
                new Intervention.Ablate("blocks.3.attn.hook_z", new int[] {0}, Intervention.Replacement.MEAN, means, null),
                new Intervention.Clamp(SparseAutoencoder.load(SAE), 12, 3.0f)));
        original.save(dir.resolve("edit.json"));
        Intervention loaded = Intervention.load(dir.resolve("edit.json"));

        assertEquals(original.summary(), loaded.summary());
        assertEquals("every kind", loaded.description());
        float[] expected = original.applyTo(phi).model().forward(IDS, PhiModel.Logits.ALL);
        float[] reloaded = loaded.applyTo(phi).model().forward(IDS, PhiModel.Logits.ALL);
        assertArrayEquals(expected, reloaded, "the loaded intervention edits exactly as the saved one");
        assertFalse(Arrays.equals(expected, phi.model().forward(IDS, PhiModel.Logits.ALL)), "and it does edit");

        InterventionStamp stamp = InterventionStamp.of(dir.resolve("edit.json"), loaded);
        assertEquals("every kind", stamp.summary());
        assertEquals(64, stamp.sha256().length());
        assertEquals(stamp, InterventionStamp.of(dir.resolve("edit.safetensors"), loaded), "either file names the pair");
    }

    @Test
    void positionLimitedAblationsEditEachTextAtItsOwnPositionsWhenPacked() {
        Phi phi = Nanophi.phi();
        Intervention at = new Intervention("", List.of(
                new Intervention.Ablate("blocks.1.attn.hook_z", new int[] {0, 1, 2, 3}, Intervention.Replacement.ZERO, null, new int[] {3, 5})));
        PhiModel edited = at.applyTo(phi).model();
        List<int[]> texts = List.of(IDS, Arrays.copyOf(IDS, 4), Arrays.copyOfRange(IDS, 3, 11), Arrays.copyOf(IDS, 3));
        List<float[]> packed = edited.tokenLogProbs(texts, 64);
        List<float[]> alone = edited.tokenLogProbs(texts, 1);
        List<float[]> unedited = phi.model().tokenLogProbs(texts, 64);
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(alone.get(i), packed.get(i), "text " + i);
        }
        // Positions 0..2 come before the first ablated one, so they are untouched; the 3-token text is not edited at all.
        assertArrayEquals(Arrays.copyOf(unedited.get(0), 3), Arrays.copyOf(packed.get(0), 3));
        assertNotEquals(unedited.get(0)[3], packed.get(0)[3]);
        assertArrayEquals(unedited.get(3), packed.get(3));
    }

    @Test
    void theExportedCheckpointReproducesTheLiveInterventionsLogits() throws IOException {
        Phi phi = Nanophi.phi();
        Intervention edit = foldable(phi);
        Path out = dir.resolve("nanophi-edited");
        try (Arena arena = Arena.ofConfined(); Checkpoint checkpoint = Checkpoint.open(Nanophi.MODEL)) {
            Map<String, Tensor> replaced = WeightFolding.fold(edit, checkpoint, phi.config(), arena);
            assertEquals(List.of("model.layers.1.mlp.fc2.bias", "model.layers.2.mlp.fc2.bias", "model.layers.0.self_attn.dense.bias",
                    "model.layers.2.self_attn.dense.weight", "model.layers.1.mlp.fc2.weight"), List.copyOf(replaced.keySet()));
            assertEquals(DType.F32, replaced.get("model.layers.1.mlp.fc2.bias").dtype(), "folded biases are not rounded to float16");
            assertEquals(DType.F16, replaced.get("model.layers.2.self_attn.dense.weight").dtype(), "zeroed matrices keep their dtype");
            CheckpointExport.export(Nanophi.MODEL, replaced, out);
        }
        assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")));
        assertFalse(Files.exists(out.resolve("reference.safetensors")), "only the weights are written again");

        float[] live = edit.applyTo(phi).model().forward(IDS, PhiModel.Logits.ALL);
        float[] before = phi.model().forward(IDS, PhiModel.Logits.ALL);
        try (Phi folded = Phi.load(out, 2)) {
            float[] logits = folded.model().forward(IDS, PhiModel.Logits.ALL);
            double worst = 0;
            double moved = 0;
            for (int i = 0; i < live.length; i++) {
                worst = Math.max(worst, Math.abs(logits[i] - live[i]));
                moved = Math.max(moved, Math.abs(before[i] - live[i]));
            }
            // The folded model adds the same terms in another order: float32 rounding, against an edit that moves logits by whole units.
            assertTrue(worst < 1e-4, "folded vs live: max |difference| " + worst);
            assertTrue(moved > 1, "the edit moves the logits by " + moved);
        }
    }

    @Test
    void editsWeightsCannotExpressAreRefusedWithTheReason() {
        Phi phi = Nanophi.phi();
        record Case(Intervention.Edit edit, String reason) {
        }
        List<Case> cases = List.of(
                new Case(new Intervention.Steer(vector("blocks.1.hook_resid_pre", 4, 1), 1),
                        "an ActAdd vector adds a different row at each position"),
                new Case(new Intervention.Ablate("blocks.0.mlp.hook_post", new int[] {1}, Intervention.Replacement.ZERO, null, new int[] {0}),
                        "it ablates some positions only"),
                new Case(new Intervention.Clamp(SparseAutoencoder.load(SAE), 3, 0f), "a clamp holds a SAE feature at a value"),
                new Case(new Intervention.Steer(vector("blocks.0.hook_resid_pre", 1, 1), 1),
                        "this model's embedding is also its unembedding (tie_word_embeddings)"));
        try (Arena arena = Arena.ofConfined(); Checkpoint checkpoint = Checkpoint.open(Nanophi.MODEL)) {
            for (Case c : cases) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> WeightFolding.fold(new Intervention("", List.of(c.edit())), checkpoint, phi.config(), arena));
                assertTrue(e.getMessage().startsWith("edit 0 (" + c.edit().summary() + ") cannot be folded into the weights: "), e.getMessage());
                assertTrue(e.getMessage().contains(c.reason()), e.getMessage());
                assertTrue(e.getMessage().endsWith("; run it live with --intervention instead"), e.getMessage());
            }
            Intervention twice = new Intervention("", List.of(
                    new Intervention.Ablate("blocks.0.attn.hook_z", new int[] {1}, Intervention.Replacement.ZERO, null, null),
                    new Intervention.Ablate("blocks.0.attn.hook_z", new int[] {1}, Intervention.Replacement.ZERO, null, null)));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> WeightFolding.fold(twice, checkpoint, phi.config(), arena))
                    .getMessage().contains("head 1 of blocks.0.attn.hook_z is ablated twice"));
        }
    }

    @Test
    void editsThatDoNotFitTheModelAreRefusedBeforeAnyPass() {
        Phi phi = Nanophi.phi();
        IllegalArgumentException head = assertThrows(IllegalArgumentException.class, () -> new Intervention("", List.of(
                new Intervention.Ablate("blocks.0.attn.hook_z", new int[] {4}, Intervention.Replacement.ZERO, null, null))).applyTo(phi));
        assertEquals("head 4 is out of range: blocks.0.attn.hook_z has 4 heads", head.getMessage());
        SteeringVector narrow = new SteeringVector("blocks.0.hook_resid_post", "test", new float[][] {new float[64]}, Map.of());
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
                () -> new Intervention("", List.of(new Intervention.Steer(narrow, 1))).applyTo(phi));
        assertEquals("the steering vector for blocks.0.hook_resid_post has 64 entries but the model's residual stream has 128",
                width.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Intervention.Ablate("blocks.0.attn.hook_z", new int[] {0},
                Intervention.Replacement.ZERO, null, new int[] {-1}));
    }

    @Test
    void aBrokenFileIsRefusedNamingTheFileAndTheEdit() throws IOException {
        new Intervention("", List.of(new Intervention.Steer(vector("blocks.1.hook_resid_pre", 1, 1), 1))).save(dir.resolve("ok.json"));
        Path json = dir.resolve("ok.json");
        String good = Files.readString(json);

        Files.writeString(json, good.replace("\"steer\"", "\"nudge\""));
        ModelFormatException kind = assertThrows(ModelFormatException.class, () -> Intervention.load(json));
        assertEquals(json + ": edit 0: \"edit\" is \"nudge\"; the edits are steer, ablate and clamp", kind.getMessage());

        Files.writeString(json, good.replaceAll("\"coefficient\" : [^,]+,", ""));
        assertEquals(json + ": edit 0: needs a number field \"coefficient\"",
                assertThrows(ModelFormatException.class, () -> Intervention.load(json)).getMessage());

        Files.writeString(json, good.replace("phiscope intervention", "phiscope steering vector"));
        assertTrue(assertThrows(ModelFormatException.class, () -> Intervention.load(json)).getMessage()
                .contains("is not a phiscope intervention"));

        Files.writeString(json, good.replace("\"edits.0\"", "\"edits.9\""));
        assertTrue(assertThrows(ModelFormatException.class, () -> Intervention.load(json)).getMessage()
                .endsWith("has no tensor 'edits.9'"));
    }
}

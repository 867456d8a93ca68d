package phiscope.probes.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.Phi;
import phiscope.engine.io.SafeTensorsFile;
import phiscope.engine.tensor.DType;
import phiscope.probes.Nanophi;
import phiscope.probes.Progress;

/** Whole training runs on nanophi-py: the SAELens layout written, a crashed run resumed, another run's checkpoint refused. */
class SaeTrainingTest {

    private static final String HOOK = "blocks.2.hook_resid_post";

    /** The project's own Markdown, a corpus that is always there. */
    private static Path corpus(Path dir) throws IOException {
        Path corpus = Files.createDirectories(dir.resolve("corpus"));
        for (String readme : List.of("README.md", "engine/README.md", "probes/README.md", "web/README.md", "toxicity/README.md")) {
            Files.copy(Path.of("..").resolve(readme), corpus.resolve(readme.replace('/', '-')));
        }
        return corpus;
    }

    private static SaeTrainer.Settings settings(int dSae, long tokens) {
        return new SaeTrainer.Settings(HOOK, SaeConfig.Architecture.TOPK, dSae, 8, 0f, 0f, 0f, 1e-3f, 256, tokens, 2048, 3);
    }

    /** Stands in for a kill: the run stops dead once it has trained {@code tokens} tokens. */
    private record Crash(long tokens) implements Progress {
        @Override
        public void advance(String step, int done, int total) {
            if (done >= tokens) {
                throw new IllegalStateException("killed");
            }
        }
    }

    @Test
    void aCrashedRunResumesFromItsCheckpointAndSavesTheSaeLensLayout(@TempDir Path dir) throws IOException {
        Phi phi = Nanophi.phi();
        Path out = dir.resolve("sae");
        SaeTraining.Options options = new SaeTraining.Options(corpus(dir), out, 64, 1024, 1024);
        SaeTrainer.Settings settings = settings(128, 6000);
        assertThrows(IllegalStateException.class, () -> SaeTraining.run(phi, settings, options, new Crash(3500)));
        assertTrue(Files.exists(out.resolve(SaeTraining.CHECKPOINT)), "a checkpoint was written before the crash");
        assertFalse(Files.exists(out.resolve("cfg.json")));

        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> SaeTraining.run(phi, settings(256, 6000), options, Progress.NONE));
        assertTrue(other.getMessage().contains("dSae = 128, not 256"), other.getMessage());

        SaeTraining.Result result = SaeTraining.run(phi, settings, options, Progress.NONE);
        assertTrue(result.resumed());
        assertEquals(6000, result.tokens());
        assertTrue(result.steps() < 6000 / 256 + 1 + 1, result.steps() + " steps");
        assertFalse(Files.exists(out.resolve(SaeTraining.CHECKPOINT)), "the checkpoint is gone once the SAE is saved");
        assertEquals(Set.of("cfg.json", "sae_weights.safetensors"), files(out));
        SparseAutoencoder sae = SparseAutoencoder.load(out);
        assertEquals(HOOK, sae.config().hookName());
        assertEquals(8, sae.config().k());

        IllegalArgumentException done = assertThrows(IllegalArgumentException.class,
                () -> SaeTraining.run(phi, settings, options, Progress.NONE));
        assertTrue(done.getMessage().contains("already holds a trained SAE"), done.getMessage());
    }

    private static Set<String> files(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return new TreeSet<>(list.map(p -> p.getFileName().toString()).toList());
        }
    }

    /** Saves a trained SAE and checks the folder against what SAELens 6.x's {@code SAE.load_from_disk} reads. */
    static void saveAndCheck(Path dir, SaeTrainer trainer, SaeTrainer.Settings settings) {
        try {
            Files.createDirectories(dir);
            SaeTraining.save(dir, trainer, settings, new SaeTraining.Options(dir, dir, 64, 2, 1), "test-model");
            assertEquals(Set.of("cfg.json", "sae_weights.safetensors"), files(dir));
            JsonNode cfg = new ObjectMapper().readTree(Files.readString(dir.resolve("cfg.json")));
            boolean topk = settings.architecture() == SaeConfig.Architecture.TOPK;
            boolean jumpRelu = settings.architecture() == SaeConfig.Architecture.JUMPRELU;
            Set<String> keys = new TreeSet<>(List.of("d_in", "d_sae", "dtype", "device", "apply_b_dec_to_input", "normalize_activations",
                    "reshape_activations", "architecture", "metadata"));
            if (topk) {
                keys.addAll(List.of("k", "rescale_acts_by_decoder_norm"));
                assertEquals(settings.k(), cfg.get("k").asInt());
            }
            assertEquals(keys, fieldNames(cfg));
            assertEquals(settings.architecture().name().toLowerCase(java.util.Locale.ROOT), cfg.get("architecture").asText());
            assertEquals("float32", cfg.get("dtype").asText());
            JsonNode metadata = cfg.get("metadata");
            for (String key : List.of("model_name", "hook_name", "hook_head_index", "prepend_bos", "context_size", "dataset_path")) {
                assertTrue(metadata.has(key), "metadata." + key);
            }
            assertEquals(6, Integer.parseInt(metadata.get("sae_lens_version").asText().split("\\.")[0]),
                    "a 6.x version, or SAELens reads the file as its old flat layout");
            int dIn = trainer.decoderBias().length;
            try (Arena arena = Arena.ofConfined()) {
                SafeTensorsFile weights = SafeTensorsFile.open(dir.resolve("sae_weights.safetensors"), arena);
                assertEquals(jumpRelu ? Set.of("W_enc", "W_dec", "b_enc", "b_dec", "threshold") : Set.of("W_enc", "W_dec", "b_enc", "b_dec"),
                        weights.entries().keySet());
                if (jumpRelu) {
                    assertArrayEquals(new int[] {settings.dSae()}, weights.tensor("threshold").shape());
                    assertArrayEquals(trainer.threshold(), weights.tensor("threshold").toFloatArray());
                }
                assertArrayEquals(new int[] {dIn, settings.dSae()}, weights.tensor("W_enc").shape());
                assertArrayEquals(new int[] {settings.dSae(), dIn}, weights.tensor("W_dec").shape());
                assertArrayEquals(new int[] {settings.dSae()}, weights.tensor("b_enc").shape());
                assertArrayEquals(new int[] {dIn}, weights.tensor("b_dec").shape());
                for (String name : weights.entries().keySet()) {
                    assertEquals(DType.F32, weights.tensor(name).dtype(), name);
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

package phiscope.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.Fixtures;
import phiscope.engine.model.PhiConfig;
import phiscope.engine.model.PhiModel;

/** Every way a model directory can be wrong gets an error that names the file and the problem. */
class CheckpointErrorsTest {

    @TempDir
    Path dir;

    @Test
    void theFixtureLoads() {
        try (PhiModel model = PhiModel.load(Fixtures.tiny("float32"), 1)) {
            assertEquals(3, model.config().numLayers());
        }
    }

    @Test
    void transformers5ConfigMeansTheSameAsTransformers4Config() throws IOException {
        Path modern = dir.resolve("modern");
        Files.createDirectories(modern);
        Files.copy(Fixtures.tiny("float16").resolve("config.transformers.json"), modern.resolve("config.json"));
        PhiConfig fromModern = PhiConfig.load(modern);
        PhiConfig fromLegacy = PhiConfig.load(Fixtures.tiny("float16"));
        assertEquals(fromLegacy, fromModern);
        assertEquals(8, fromModern.rotaryDim());
    }

    @Test
    void missingDirectoryAndMissingWeights() throws IOException {
        assertLoadError(dir.resolve("nowhere"), "config.json", "file not found");
        Path empty = dir.resolve("empty");
        Files.createDirectories(empty);
        Files.copy(Fixtures.tiny("float32").resolve("config.json"), empty.resolve("config.json"));
        assertLoadError(empty, "empty", "has neither model.safetensors nor model.safetensors.index.json");
    }

    @Test
    void configThatIsNotJsonOrLacksKeys() throws IOException {
        Path broken = copyOfTiny("broken");
        Files.writeString(broken.resolve("config.json"), "{\"hidden_size\": 80,");
        assertLoadError(broken, "config.json", "is not valid JSON");
        Files.writeString(broken.resolve("config.json"), "{\"model_type\": \"phi\", \"hidden_size\": 80, \"num_attention_heads\": 4}");
        assertLoadError(broken, "config.json", "missing the required key \"vocab_size\"");
    }

    @Test
    void numbersOfTheWrongKindAreRefusedNotRoundedOrDefaulted() throws IOException {
        Path model = copyOfTiny("numbers");
        String original = Files.readString(model.resolve("config.json"));
        Files.writeString(model.resolve("config.json"), changed(original, "\"max_position_embeddings\": 160", "\"max_position_embeddings\": -1"));
        assertLoadError(model, "config.json", "\"max_position_embeddings\" must be an integer of at least 1, not -1");
        Files.writeString(model.resolve("config.json"), changed(original, "\"hidden_size\": 80", "\"hidden_size\": 80.5"));
        assertLoadError(model, "config.json", "\"hidden_size\" must be an integer of at least 1, not 80.5");
        Files.writeString(model.resolve("config.json"), changed(original, "\"hidden_size\": 80", "\"hidden_size\": \"80\""));
        assertLoadError(model, "config.json", "\"hidden_size\" must be an integer of at least 1, not \"80\"");
        Files.writeString(model.resolve("config.json"), changed(original, "\"layer_norm_eps\": 1e-05", "\"layer_norm_eps\": \"x\""));
        assertLoadError(model, "config.json", "\"layer_norm_eps\" must be a positive number, not \"x\"");
        Files.writeString(model.resolve("config.json"), changed(original, "\"tie_word_embeddings\": false", "\"tie_word_embeddings\": \"no\""));
        assertLoadError(model, "config.json", "\"tie_word_embeddings\" must be true or false, not \"no\"");
    }

    @Test
    void tensorsTheConfigDoesNotAccountForAreAnError() throws IOException {
        Path model = copyOfTiny("fewer-layers");
        editConfig(model, json -> changed(json, "\"num_hidden_layers\": 3", "\"num_hidden_layers\": 2"));
        assertLoadError(model, "fewer-layers", "tensor(s) that config.json does not account for: model.layers.2.",
                "num_hidden_layers 2 but the checkpoint has blocks up to 2 (set num_hidden_layers to 3)");

        Path extra = dir.resolve("extra");
        rewrite(Fixtures.tiny("float32"), extra, name -> name, "model.layers.0.self_attn.q_norm.weight");
        assertLoadError(extra, "extra", "1 tensor(s) that config.json does not account for: model.layers.0.self_attn.q_norm.weight",
                "the config and the weights describe different models");
    }

    @Test
    void oldMixFormerLayoutSaysWhatToDownload() throws IOException {
        Path old = copyOfTiny("mixformer-config");
        editConfig(old, json -> changed(json, "\"model_type\": \"phi\"", "\"model_type\": \"phi-msft\""));
        assertLoadError(old, "config.json", "old MixFormer layout", "huggingface-cli download microsoft/phi-2");

        Path oldTensors = dir.resolve("mixformer-tensors");
        rewrite(Fixtures.tiny("float32"), oldTensors, name -> name.replace("model.layers.", "layers.").replace("self_attn", "mixer"));
        assertLoadError(oldTensors, "mixformer-tensors", "layers.N.mixer", "huggingface-cli download microsoft/phi-2");
    }

    @Test
    void missingTensor() throws IOException {
        Path model = dir.resolve("missing");
        rewrite(Fixtures.tiny("float32"), model, name -> name.equals("model.layers.1.mlp.fc2.bias") ? null : name);
        assertLoadError(model, "missing", "no tensor 'model.layers.1.mlp.fc2.bias'");
    }

    @Test
    void shapeThatDoesNotMatchTheConfig() throws IOException {
        Path model = copyOfTiny("shape");
        editConfig(model, json -> changed(json, "\"intermediate_size\": 300", "\"intermediate_size\": 301"));
        assertLoadError(model, ".safetensors", "'model.layers.0.mlp.fc1.weight' has shape [300, 80] but config.json implies [301, 80]");
    }

    @Test
    void dtypeThatDoesNotMatchTheConfig() throws IOException {
        Path model = copyOfTiny("dtype");
        editConfig(model, json -> changed(json, "\"torch_dtype\": \"float32\"", "\"torch_dtype\": \"float16\""));
        assertLoadError(model, ".safetensors", "is F32 but config.json declares float16");
    }

    @Test
    void untiedModelWithoutLmHead() throws IOException {
        Path model = dir.resolve("untied");
        rewrite(Fixtures.tiny("float32"), model, name -> name.equals("lm_head.weight") ? null : name);
        assertLoadError(model, "untied", "no tensor 'lm_head.weight'", "tie_word_embeddings");
    }

    @Test
    void shardedIndexErrors() throws IOException {
        Path model = copyOfTiny("index");
        Path index = model.resolve("model.safetensors.index.json");
        String original = Files.readString(index);
        Files.writeString(index, changed(original, "model-00008-of-00008.safetensors", "model-00009-of-00008.safetensors"));
        assertLoadError(model, "model-00009-of-00008.safetensors", "file not found");
        Files.writeString(index, changed(original, "\"lm_head.bias\": \"model-00008-of-00008.safetensors\"",
                "\"lm_head.bias\": \"model-00002-of-00008.safetensors\""));
        assertLoadError(model, "model-00002-of-00008.safetensors", "has no tensor 'lm_head.bias'");
        Files.writeString(index, "{\"weight_map\": ");
        assertLoadError(model, "model.safetensors.index.json", "is not valid JSON");
        Files.writeString(index, changed(original, "\"lm_head.bias\": \"model-00008-of-00008.safetensors\"",
                "\"lm_head.bias\": \"../model-00008-of-00008.safetensors\""));
        assertLoadError(model, "model.safetensors.index.json", "outside the model directory");
    }

    @Test
    void truncatedShard() throws IOException {
        Path model = copyOfTiny("truncated");
        Path shard = model.resolve("model-00003-of-00008.safetensors");
        byte[] bytes = Files.readAllBytes(shard);
        Files.write(shard, java.util.Arrays.copyOf(bytes, bytes.length - 10));
        assertLoadError(model, "model-00003-of-00008.safetensors", "outside the data section");
    }

    private void assertLoadError(Path model, String fileMention, String... expected) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> PhiModel.load(model, 1).close());
        assertTrue(e.getMessage().contains(fileMention), e.getMessage());
        for (String text : expected) {
            assertTrue(e.getMessage().contains(text), e.getMessage());
        }
    }

    private Path copyOfTiny(String name) throws IOException {
        Path target = dir.resolve(name);
        Files.createDirectories(target);
        try (var files = Files.list(Fixtures.tiny("float32"))) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
        return target;
    }

    private static void editConfig(Path model, UnaryOperator<String> edit) throws IOException {
        Path config = model.resolve("config.json");
        Files.writeString(config, edit.apply(Files.readString(config)));
    }

    /** {@code text} with {@code target} replaced; fails if the target is absent, so a test cannot silently test nothing. */
    private static String changed(String text, String target, String replacement) {
        assertTrue(text.contains(target), "expected to find " + target);
        return text.replace(target, replacement);
    }

    /** Rewrites a checkpoint into one file, renaming tensors (or dropping them where the rename gives null). */
    static void rewrite(Path from, Path to, UnaryOperator<String> rename) throws IOException {
        rewrite(from, to, rename, null);
    }

    /** {@link #rewrite}, plus, if {@code extraName} is not null, a copy of the final LayerNorm's weight under that name. */
    private static void rewrite(Path from, Path to, UnaryOperator<String> rename, String extraName) throws IOException {
        Files.createDirectories(to);
        Files.copy(from.resolve("config.json"), to.resolve("config.json"));
        try (Checkpoint source = Checkpoint.open(from)) {
            List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
            for (String name : source.names()) {
                String renamed = rename.apply(name);
                if (renamed != null) {
                    Tensor t = source.tensor(name);
                    entries.add(new SafeTensorsWriter.Entry(renamed, t.dtype(), t.shape(), segment -> segment.copyFrom(t.data())));
                }
            }
            if (extraName != null) {
                Tensor norm = source.tensor("model.final_layernorm.weight");
                entries.add(new SafeTensorsWriter.Entry(extraName, norm.dtype(), norm.shape(), segment -> segment.copyFrom(norm.data())));
            }
            SafeTensorsWriter.write(to.resolve("model.safetensors"), Map.of(), entries);
        }
    }
}

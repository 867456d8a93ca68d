package phiscope.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import phiscope.engine.Fixtures;
import phiscope.engine.io.Checkpoint;
import phiscope.engine.io.SafeTensorsFile;
import phiscope.engine.io.SafeTensorsWriter;
import phiscope.engine.tensor.DType;
import phiscope.engine.tensor.Float16;

/** Nothing in the engine may assume the fixtures' sizes: random Phi models of other shapes against the naive reference. */
class OtherShapesTest {

    @TempDir
    Path dir;

    @Test
    void theNaiveReferenceMatchesTransformers() {
        Path model = Fixtures.tiny("float32");
        try (Checkpoint checkpoint = Checkpoint.open(model);
             java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            SafeTensorsFile reference = SafeTensorsFile.open(Fixtures.TINY_REFERENCE, arena);
            int[] ids = reference.tensor("s2.input_ids").toIntArray();
            float[] expected = reference.tensor("s2.logits").toFloatArray();
            double[][] logits = new NaiveReference(PhiConfig.load(model), checkpoint).logits(ids);
            int vocab = logits[0].length;
            for (int t = 0; t < ids.length; t++) {
                for (int v = 0; v < vocab; v++) {
                    assertEquals(expected[t * vocab + v], logits[t][v], 1e-4, "position " + t + " token " + v);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} heads x {1}, rotary {2}, theta {3}, eps {4}, mlp {5}, {6}, tied {7}")
    @CsvSource({
        "3, 12, 0.34, 500, 1e-6, 37, F32, false",
        "5, 7, 0.6, 10000, 1e-5, 29, F16, true",
        "2, 24, 1.0, 1000000, 1e-5, 130, BF16, false",
        "1, 16, 0.5, 10000, 1e-3, 67, F16, false",
    })
    void randomModelMatchesTheNaiveReference(int heads, int headDim, double rotary, double theta, double eps, int mlp,
                                             DType dtype, boolean tied) throws IOException {
        Path model = writeRandomModel(heads, headDim, rotary, theta, eps, mlp, dtype, tied);
        int[] ids = new SplittableRandom(3).ints(21, 0, 97).toArray();
        try (PhiModel phi = PhiModel.load(model, 2);
             Checkpoint checkpoint = Checkpoint.open(model)) {
            assertEquals((int) (headDim * rotary), phi.config().rotaryDim());
            double[][] expected = new NaiveReference(phi.config(), checkpoint).logits(ids);
            int vocab = phi.config().vocabSize();
            float[] prefill = phi.forward(ids, PhiModel.Logits.ALL);
            // The same sequence decoded one token at a time through the KV cache.
            try (KVCache cache = phi.newCache(ids.length)) {
                for (int t = 0; t < ids.length; t++) {
                    float[] step = phi.forward(new int[] {ids[t]}, cache, PhiModel.Logits.LAST);
                    for (int v = 0; v < vocab; v++) {
                        assertEquals(expected[t][v], prefill[t * vocab + v], 1e-4, "prefill, position " + t + " token " + v);
                        assertEquals(expected[t][v], step[v], 1e-4, "decode, position " + t + " token " + v);
                    }
                }
            }
        }
    }

    /** A random checkpoint whose values are exactly representable in its dtype. */
    private Path writeRandomModel(int heads, int headDim, double rotary, double theta, double eps, int mlp,
                                  DType dtype, boolean tied) throws IOException {
        int d = heads * headDim;
        int vocab = 97;
        SplittableRandom random = new SplittableRandom(heads * 31L + headDim);
        List<SafeTensorsWriter.Entry> tensors = new ArrayList<>();
        tensors.add(random(dtype, "model.embed_tokens.weight", random, 1.0, vocab, d));
        for (int b = 0; b < 2; b++) {
            String p = "model.layers." + b + ".";
            tensors.add(random(dtype, p + "input_layernorm.weight", random, 0.3, d));
            tensors.add(random(dtype, p + "input_layernorm.bias", random, 0.3, d));
            for (String proj : List.of("q_proj", "k_proj", "v_proj", "dense")) {
                tensors.add(random(dtype, p + "self_attn." + proj + ".weight", random, 1 / Math.sqrt(d), d, d));
                tensors.add(random(dtype, p + "self_attn." + proj + ".bias", random, 0.1, d));
            }
            tensors.add(random(dtype, p + "mlp.fc1.weight", random, 1 / Math.sqrt(d), mlp, d));
            tensors.add(random(dtype, p + "mlp.fc1.bias", random, 0.1, mlp));
            tensors.add(random(dtype, p + "mlp.fc2.weight", random, 1 / Math.sqrt(mlp), d, mlp));
            tensors.add(random(dtype, p + "mlp.fc2.bias", random, 0.1, d));
        }
        tensors.add(random(dtype, "model.final_layernorm.weight", random, 0.3, d));
        tensors.add(random(dtype, "model.final_layernorm.bias", random, 0.3, d));
        if (!tied) {
            tensors.add(random(dtype, "lm_head.weight", random, 1 / Math.sqrt(d), vocab, d));
        }
        tensors.add(random(dtype, "lm_head.bias", random, 0.1, vocab));
        Path model = Files.createTempDirectory(dir, "model");
        SafeTensorsWriter.write(model.resolve("model.safetensors"), Map.of(), tensors);
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = json.createObjectNode()
                .put("model_type", "phi").put("vocab_size", vocab).put("hidden_size", d).put("intermediate_size", mlp)
                .put("num_hidden_layers", 2).put("num_attention_heads", heads).put("max_position_embeddings", 64)
                .put("layer_norm_eps", eps).put("partial_rotary_factor", rotary).put("rope_theta", theta)
                .put("tie_word_embeddings", tied);
        json.writeValue(model.resolve("config.json").toFile(), config);
        assertTrue(Files.size(model.resolve("model.safetensors")) > 0);
        return model;
    }

    private static SafeTensorsWriter.Entry random(DType dtype, String name, SplittableRandom random, double scale, int... shape) {
        int count = 1;
        for (int s : shape) {
            count *= s;
        }
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            // Rounded through bfloat16 so the value is exact in every dtype (and the naive reference reads the same numbers).
            values[i] = Float16.bfloat16ToFloat(Float16.bfloat16FromFloat((float) ((random.nextDouble() * 2 - 1) * scale * 1.7)));
        }
        var half = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        return switch (dtype) {
            case F32 -> SafeTensorsWriter.Entry.floats(name, shape, values);
            case F16 -> SafeTensorsWriter.Entry.halves(name, shape, values);
            default -> new SafeTensorsWriter.Entry(name, DType.BF16, shape, (MemorySegment segment) -> {
                for (int i = 0; i < values.length; i++) {
                    segment.set(half, 2L * i, Float16.bfloat16FromFloat(values[i]));
                }
            });
        };
    }
}

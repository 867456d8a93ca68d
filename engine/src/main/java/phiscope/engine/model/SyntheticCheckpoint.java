package phiscope.engine.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import phiscope.engine.io.Checkpoint;
import phiscope.engine.io.EngineJson;
import phiscope.engine.io.SafeTensorsWriter;
import phiscope.engine.tensor.DType;
import phiscope.engine.tensor.Float16;

/**
 * Writes a random Phi checkpoint with the real names, shapes and dtype (float16, sharded with an
 * index like the Hugging Face download) for speed and memory measurements where the real weights
 * are not available. The values are seeded, so two runs write identical files.
 */
public final class SyntheticCheckpoint {

    /** Architectures to imitate. */
    public enum Shape {
        /** microsoft/phi-2: 32 blocks, d_model 2560, 32 heads x 80, MLP 10240, 51200 vocabulary rows. */
        PHI_2(new PhiConfig(51200, 2560, 10240, 32, 32, 2048, 1e-5f, 0.4, 10000, false, 50256, java.util.Optional.of("float16"))),
        /** A 2-block model with odd sizes, small enough for tests. */
        SMALL(new PhiConfig(51200, 96, 200, 2, 3, 256, 1e-5f, 0.5, 10000, false, 50256, java.util.Optional.of("float16"))),
        /** One block of width 64 and 256 vocabulary rows: Phi-2's code paths at a ten-thousandth of its work. */
        MINIATURE(new PhiConfig(256, 64, 256, 1, 2, 128, 1e-5f, 0.4, 10000, false, 0, java.util.Optional.of("float16")));

        private final PhiConfig config;

        Shape(PhiConfig config) {
            this.config = config;
        }

        public PhiConfig config() {
            return config;
        }
    }

    /** The first shard is filled up to this size, as the real Phi-2 download's ~5 GB first shard. */
    private static final long FIRST_SHARD_BYTES = 5_000_000_000L;
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Uniform weights with the standard deviation of transformers' initializer_range 0.02. */
    private static final float WEIGHT_RANGE = (float) (0.02 * Math.sqrt(3));

    private SyntheticCheckpoint() {
    }

    /** Writes config, shards, index and (if given) a copy of {@code tokenizerJson} into {@code directory}. */
    public static void write(Path directory, Shape shape, Path tokenizerJson, long seed) {
        PhiConfig c = shape.config();
        List<SafeTensorsWriter.Entry> tensors = new ArrayList<>();
        int d = c.hiddenSize();
        int m = c.intermediateSize();
        tensors.add(matrix("model.embed_tokens.weight", seed, c.vocabSize(), d));
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            tensors.add(constant(p + "input_layernorm.weight", 1f, d));
            tensors.add(constant(p + "input_layernorm.bias", 0f, d));
            for (String proj : List.of("q_proj", "k_proj", "v_proj", "dense")) {
                tensors.add(matrix(p + "self_attn." + proj + ".weight", seed, d, d));
                tensors.add(matrix(p + "self_attn." + proj + ".bias", seed, d));
            }
            tensors.add(matrix(p + "mlp.fc1.weight", seed, m, d));
            tensors.add(matrix(p + "mlp.fc1.bias", seed, m));
            tensors.add(matrix(p + "mlp.fc2.weight", seed, d, m));
            tensors.add(matrix(p + "mlp.fc2.bias", seed, d));
        }
        tensors.add(constant("model.final_layernorm.weight", 1f, d));
        tensors.add(constant("model.final_layernorm.bias", 0f, d));
        tensors.add(matrix("lm_head.weight", seed, c.vocabSize(), d));
        tensors.add(matrix("lm_head.bias", seed, c.vocabSize()));

        List<List<SafeTensorsWriter.Entry>> shards = new ArrayList<>(List.of(new ArrayList<>(), new ArrayList<>()));
        long firstBytes = 0;
        for (SafeTensorsWriter.Entry tensor : tensors) {
            boolean first = shards.get(1).isEmpty() && firstBytes + tensor.byteSize() <= FIRST_SHARD_BYTES
                    && tensor != tensors.getLast();
            shards.get(first ? 0 : 1).add(tensor);
            firstBytes += first ? tensor.byteSize() : 0;
        }
        try {
            Files.createDirectories(directory);
            Map<String, String> weightMap = new LinkedHashMap<>();
            long total = 0;
            for (int s = 0; s < shards.size(); s++) {
                String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards.size());
                SafeTensorsWriter.write(directory.resolve(file), Map.of("format", "pt"), shards.get(s));
                for (SafeTensorsWriter.Entry tensor : shards.get(s)) {
                    weightMap.put(tensor.name(), file);
                    total += tensor.byteSize();
                }
            }
            ObjectMapper json = EngineJson.MAPPER;
            ObjectNode index = json.createObjectNode();
            index.putObject("metadata").put("total_size", total);
            weightMap.forEach(index.putObject("weight_map")::put);
            json.writerWithDefaultPrettyPrinter().writeValue(directory.resolve(Checkpoint.INDEX_FILE).toFile(), index);
            json.writerWithDefaultPrettyPrinter().writeValue(directory.resolve(PhiConfig.FILE).toFile(), configJson(json, c));
            if (tokenizerJson != null) {
                Files.copy(tokenizerJson, directory.resolve("tokenizer.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the synthetic checkpoint to " + directory + ": " + e.getMessage(), e);
        }
    }

    private static ObjectNode configJson(ObjectMapper json, PhiConfig c) {
        ObjectNode config = json.createObjectNode();
        config.putArray("architectures").add("PhiForCausalLM");
        config.put("model_type", "phi");
        config.put("_name_or_path", "phiscope-synthetic");
        config.put("torch_dtype", "float16");
        config.put("vocab_size", c.vocabSize());
        config.put("hidden_size", c.hiddenSize());
        config.put("intermediate_size", c.intermediateSize());
        config.put("num_hidden_layers", c.numLayers());
        config.put("num_attention_heads", c.numHeads());
        config.put("num_key_value_heads", c.numHeads());
        config.put("hidden_act", "gelu_new");
        config.put("max_position_embeddings", c.maxPositions());
        config.put("layer_norm_eps", c.layerNormEps());
        config.put("partial_rotary_factor", c.partialRotaryFactor());
        config.put("rope_theta", c.ropeTheta());
        config.put("tie_word_embeddings", c.tieWordEmbeddings());
        config.put("bos_token_id", 50256);
        config.put("eos_token_id", c.eosTokenId());
        return config;
    }

    private static SafeTensorsWriter.Entry constant(String name, float value, int length) {
        short bits = Float16.fromFloat(value);
        return new SafeTensorsWriter.Entry(name, DType.F16, new int[] {length}, segment -> {
            for (long i = 0; i < length; i++) {
                segment.set(HALF, 2 * i, bits);
            }
        });
    }

    /** Uniform random F16 values, filled in parallel chunks each seeded from the name and its index. */
    private static SafeTensorsWriter.Entry matrix(String name, long seed, int... shape) {
        return new SafeTensorsWriter.Entry(name, DType.F16, shape, segment -> {
            long count = segment.byteSize() / 2;
            int chunk = 1 << 20;
            int chunks = (int) ((count + chunk - 1) / chunk);
            IntStream.range(0, chunks).parallel().forEach(c -> fill(segment, seed ^ name.hashCode() * 0x9E3779B97F4A7C15L + c,
                    (long) c * chunk, Math.min(count, (long) (c + 1) * chunk)));
        });
    }

    private static void fill(MemorySegment segment, long seed, long from, long to) {
        SplittableRandom random = new SplittableRandom(seed);
        for (long i = from; i < to; i++) {
            float value = (random.nextFloat() * 2 - 1) * WEIGHT_RANGE;
            segment.set(HALF, 2 * i, Float16.fromFloat(value));
        }
    }
}

package phiscope.engine.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import phiscope.engine.io.EngineJson;
import phiscope.engine.io.JsonSyntax;
import phiscope.engine.io.ModelFormatException;

/**
 * The architecture of a Phi model from its Hugging Face {@code config.json}, in the transformers
 * 4.x style ({@code rope_theta}, {@code partial_rotary_factor} at the top level) or the 5.x
 * style ({@code rope_parameters}).
 *
 * @param dtype the weights' dtype the config declares ({@code torch_dtype} or {@code dtype}), if any
 */
public record PhiConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int maxPositions,
        float layerNormEps,
        double partialRotaryFactor,
        double ropeTheta,
        boolean tieWordEmbeddings,
        int eosTokenId,
        Optional<String> dtype) {

    public static final String FILE = "config.json";
    private static final String CURRENT_PHI2 = "the current microsoft/phi-2 from the Hugging Face Hub "
            + "(huggingface-cli download microsoft/phi-2 --local-dir models/phi-2)";

    public PhiConfig {
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("hidden_size " + hiddenSize + " is not divisible by num_attention_heads " + numHeads);
        }
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** Leading dimensions of each head that rotate, as transformers computes it: {@code int(head_dim * factor)}. */
    public int rotaryDim() {
        return (int) (headDim() * partialRotaryFactor);
    }

    public static PhiConfig load(Path modelDirectory) {
        Path file = modelDirectory.resolve(FILE);
        JsonNode root;
        try {
            root = EngineJson.MAPPER.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "file not found (a model directory needs config.json)");
        } catch (JacksonException e) {
            throw new ModelFormatException(file, "is not valid JSON: " + JsonSyntax.describe(e));
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(file, "is not a JSON object");
        }
        return parse(file, root);
    }

    static PhiConfig parse(Path file, JsonNode root) {
        String modelType = optionalText(file, root, "model_type", "phi");
        if (modelType.equals("phi-msft") || modelType.equals("mixformer-sequential") || root.has("n_embd")) {
            throw new ModelFormatException(file, "is the old MixFormer layout of Phi (model_type '" + modelType
                    + "'), which phiscope does not read; download " + CURRENT_PHI2);
        }
        if (!modelType.equals("phi")) {
            throw new ModelFormatException(file, "model_type is '" + modelType + "'; phiscope runs Phi models (model_type 'phi')");
        }
        int hidden = requiredInt(file, root, "hidden_size");
        int heads = requiredInt(file, root, "num_attention_heads");
        if (hidden % heads != 0) {
            throw new ModelFormatException(file, "hidden_size " + hidden + " is not divisible by num_attention_heads " + heads);
        }
        int kvHeads = optionalInt(file, root, "num_key_value_heads", heads, 1);
        if (kvHeads != heads) {
            throw new ModelFormatException(file, "num_key_value_heads " + kvHeads + " differs from num_attention_heads "
                    + heads + "; grouped-query attention is not supported");
        }
        if (optionalBoolean(file, root, "qk_layernorm", false)) {
            throw new ModelFormatException(file, "qk_layernorm is true; Phi-2 has no query/key LayerNorm and phiscope does not support it");
        }
        String act = optionalText(file, root, "hidden_act", "gelu_new");
        if (!act.equals("gelu_new")) {
            throw new ModelFormatException(file, "hidden_act is '" + act + "'; only gelu_new (Phi-2's) is supported");
        }
        JsonNode rope = root.path("rope_parameters");
        if (!rope.isMissingNode() && !rope.isNull() && !rope.isObject()) {
            throw new ModelFormatException(file, "\"rope_parameters\" must be an object, not " + rope);
        }
        double theta = optionalPositive(file, rope, "rope_theta", optionalPositive(file, root, "rope_theta", 10000.0));
        double factor = optionalPositive(file, rope, "partial_rotary_factor",
                optionalPositive(file, root, "partial_rotary_factor", 0.5));
        String ropeType = optionalText(file, rope, "rope_type", "default");
        JsonNode scaling = root.path("rope_scaling");
        if (!ropeType.equals("default") || (!scaling.isMissingNode() && !scaling.isNull())) {
            throw new ModelFormatException(file, "uses rope scaling ('" + ropeType + "'); only default rotary embeddings are supported");
        }
        int headDim = hidden / heads;
        int rotary = (int) (headDim * factor);
        if (factor <= 0 || factor > 1 || rotary % 2 != 0) {
            throw new ModelFormatException(file, "partial_rotary_factor " + factor + " gives a rotary dimension of "
                    + rotary + " for head_dim " + headDim + "; it must be even and positive");
        }
        String dtype = optionalText(file, root, "torch_dtype", optionalText(file, root, "dtype", null));
        return new PhiConfig(
                requiredInt(file, root, "vocab_size"),
                hidden,
                requiredInt(file, root, "intermediate_size"),
                requiredInt(file, root, "num_hidden_layers"),
                heads,
                optionalInt(file, root, "max_position_embeddings", 2048, 1),
                (float) optionalPositive(file, root, "layer_norm_eps", 1e-5),
                factor,
                theta,
                optionalBoolean(file, root, "tie_word_embeddings", false),
                optionalInt(file, root, "eos_token_id", 50256, 0),
                Optional.ofNullable(dtype));
    }

    private static int requiredInt(Path file, JsonNode root, String key) {
        JsonNode node = root.get(key);
        if (node == null || node.isNull()) {
            throw new ModelFormatException(file, "is missing the required key \"" + key + "\"");
        }
        return integer(file, key, node, 1);
    }

    /** The integer at {@code key}, at least {@code min}, or {@code fallback} when the key is absent or null. */
    private static int optionalInt(Path file, JsonNode root, String key, int fallback, int min) {
        JsonNode node = root.get(key);
        return node == null || node.isNull() ? fallback : integer(file, key, node, min);
    }

    /** An integer written as one: {@code 128.5}, {@code 128.0} and {@code "128"} are refused, not rounded or parsed. */
    private static int integer(Path file, String key, JsonNode node, int min) {
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min) {
            throw new ModelFormatException(file, "\"" + key + "\" must be an integer of at least " + min + ", not " + node);
        }
        return node.asInt();
    }

    /** The positive finite number at {@code key}, or {@code fallback} when the key is absent or null. */
    private static double optionalPositive(Path file, JsonNode root, String key, double fallback) {
        JsonNode node = root.get(key);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isNumber() || !(node.asDouble() > 0) || !Double.isFinite(node.asDouble())) {
            throw new ModelFormatException(file, "\"" + key + "\" must be a positive number, not " + node);
        }
        return node.asDouble();
    }

    private static boolean optionalBoolean(Path file, JsonNode root, String key, boolean fallback) {
        return optional(file, root, key, fallback, JsonNode::isBoolean, JsonNode::asBoolean, "true or false");
    }

    private static String optionalText(Path file, JsonNode root, String key, String fallback) {
        return optional(file, root, key, fallback, JsonNode::isTextual, JsonNode::asText, "a string");
    }

    /** The value at {@code key} if it is of the kind {@code accepts} checks, {@code fallback} when absent or null, else an error. */
    private static <T> T optional(Path file, JsonNode root, String key, T fallback, Predicate<JsonNode> accepts,
                                  Function<JsonNode, T> value, String kind) {
        JsonNode node = root.get(key);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!accepts.test(node)) {
            throw new ModelFormatException(file, "\"" + key + "\" must be " + kind + ", not " + node);
        }
        return value.apply(node);
    }
}

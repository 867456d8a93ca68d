package phiscope.engine.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
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
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "file not found (a model directory needs config.json)");
        } catch (JacksonException e) {
            throw new ModelFormatException(file, "is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(file, "is not a JSON object");
        }
        return parse(file, root);
    }

    static PhiConfig parse(Path file, JsonNode root) {
        String modelType = root.path("model_type").asText("phi");
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
        int kvHeads = root.path("num_key_value_heads").isNull() ? heads : root.path("num_key_value_heads").asInt(heads);
        if (kvHeads != heads) {
            throw new ModelFormatException(file, "num_key_value_heads " + kvHeads + " differs from num_attention_heads "
                    + heads + "; grouped-query attention is not supported");
        }
        if (root.path("qk_layernorm").asBoolean(false)) {
            throw new ModelFormatException(file, "qk_layernorm is true; Phi-2 has no query/key LayerNorm and phiscope does not support it");
        }
        String act = root.path("hidden_act").asText("gelu_new");
        if (!act.equals("gelu_new")) {
            throw new ModelFormatException(file, "hidden_act is '" + act + "'; only gelu_new (Phi-2's) is supported");
        }
        JsonNode rope = root.path("rope_parameters");
        double theta = rope.path("rope_theta").asDouble(root.path("rope_theta").asDouble(10000.0));
        double factor = rope.path("partial_rotary_factor").asDouble(root.path("partial_rotary_factor").asDouble(0.5));
        String ropeType = rope.path("rope_type").asText("default");
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
        String dtype = root.has("torch_dtype") ? root.get("torch_dtype").asText() : root.has("dtype") ? root.get("dtype").asText() : null;
        return new PhiConfig(
                requiredInt(file, root, "vocab_size"),
                hidden,
                requiredInt(file, root, "intermediate_size"),
                requiredInt(file, root, "num_hidden_layers"),
                heads,
                root.path("max_position_embeddings").asInt(2048),
                (float) root.path("layer_norm_eps").asDouble(1e-5),
                factor,
                theta,
                root.path("tie_word_embeddings").asBoolean(false),
                root.path("eos_token_id").asInt(50256),
                Optional.ofNullable(dtype));
    }

    private static int requiredInt(Path file, JsonNode root, String key) {
        JsonNode node = root.get(key);
        if (node == null || node.isNull()) {
            throw new ModelFormatException(file, "is missing the required key \"" + key + "\"");
        }
        if (!node.canConvertToInt() || node.asInt() <= 0) {
            throw new ModelFormatException(file, "\"" + key + "\" must be a positive integer, not " + node);
        }
        return node.asInt();
    }
}

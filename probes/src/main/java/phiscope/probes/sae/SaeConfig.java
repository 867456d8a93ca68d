package phiscope.probes.sae;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.OptionalInt;
import phiscope.engine.io.JsonSyntax;
import phiscope.engine.io.ModelFormatException;
import phiscope.probes.io.ProbesJson;

/**
 * What a SAELens {@code cfg.json} says about its SAE: the 6.x layout (a nested {@code metadata}
 * holding the hook) and the flat layout of SAELens before 6.0, read the way SAELens converts it
 * ({@code hook_point} → {@code hook_name}, {@code activation_fn_str: "topk"} → architecture
 * {@code topk}, a boolean {@code normalize_activations}, architecture {@code standard} by default).
 *
 * @param k             features kept per token by {@code topk}; 0 for the other architectures
 * @param hookHeadIndex the head whose slice of the hook the SAE reads, if it reads one head only
 */
public record SaeConfig(Architecture architecture, int dIn, int dSae, String dtype, boolean applyBDecToInput,
        Normalization normalization, boolean reshapeHookZ, String hookName, OptionalInt hookHeadIndex, int k,
        boolean rescaleActsByDecoderNorm, String modelName) {

    public enum Architecture { STANDARD, GATED, JUMPRELU, TOPK }

    /** SAELens's {@code normalize_activations}. */
    public enum Normalization { NONE, EXPECTED_AVERAGE_ONLY_IN, CONSTANT_NORM_RESCALE, LAYER_NORM }

    private static final ObjectMapper JSON = ProbesJson.MAPPER;

    public static SaeConfig read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "file not found (a SAELens SAE folder holds cfg.json and sae_weights.safetensors)");
        } catch (JacksonException e) {
            throw new ModelFormatException(file, "not valid JSON: " + JsonSyntax.describe(e));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(file, "expected a JSON object");
        }
        return new Reader(file, root).config();
    }

    /** Reads one cfg.json; every error names the file and the field. */
    private record Reader(Path file, JsonNode root) {

        SaeConfig config() {
            // Before 6.0 everything sits at the top level; 6.x moved the hook and provenance into metadata.
            JsonNode metadata = root.path("metadata").isObject() ? root.get("metadata") : root;
            boolean legacy = !metadata.has("sae_lens_version") || majorVersion(metadata.get("sae_lens_version")) < 6;
            Architecture architecture = architecture(legacy);
            int k = 0;
            if (architecture == Architecture.TOPK) {
                boolean kwargs = legacy && !root.has("k");
                k = positiveInt(kwargs ? root.path("activation_fn_kwargs").get("k") : root.get("k"), kwargs ? "activation_fn_kwargs.k" : "k");
            }
            int dIn = positiveInt(root.get("d_in"), "d_in");
            int dSae = positiveInt(root.get("d_sae"), "d_sae");
            if (k > dSae) {
                throw new ModelFormatException(file, "k = " + k + " is larger than d_sae = " + dSae);
            }
            JsonNode hook = metadata.has("hook_name") ? metadata.get("hook_name") : root.has("hook_name") ? root.get("hook_name")
                    : root.get("hook_point");
            if (hook == null || !hook.isTextual() || hook.asText().isBlank()) {
                throw new ModelFormatException(file, "needs the hook the SAE reads: a string \"hook_name\""
                        + (legacy ? " (or \"hook_point\")" : " in \"metadata\""));
            }
            JsonNode head = metadata.has("hook_head_index") ? metadata.get("hook_head_index") : root.get("hook_head_index");
            OptionalInt headIndex = head == null || head.isNull() ? OptionalInt.empty()
                    : OptionalInt.of(nonNegativeInt(head, "hook_head_index"));
            String dtype = text(root.get("dtype"), "dtype", "float32");
            if (!Arrays.asList("float32", "float16", "bfloat16").contains(dtype)) {
                throw new ModelFormatException(file, "\"dtype\": \"" + dtype + "\" is not one of float32, float16, bfloat16");
            }
            String reshape = text(root.get("reshape_activations"), "reshape_activations", "none");
            if (!reshape.equals("none") && !reshape.equals("hook_z")) {
                throw new ModelFormatException(file, "\"reshape_activations\": \"" + reshape + "\" is not one of none, hook_z");
            }
            if (root.path("finetuning_scaling_factor").asBoolean(false)) {
                throw new ModelFormatException(file, "\"finetuning_scaling_factor\": true (a per-feature scale from SAELens before "
                        + "6.0) is not something phiscope applies; fold it into W_dec first");
            }
            JsonNode model = metadata.has("model_name") ? metadata.get("model_name") : root.get("model_name");
            return new SaeConfig(architecture, dIn, dSae, dtype, bool(root.get("apply_b_dec_to_input"), "apply_b_dec_to_input", true),
                    normalization(root.get("normalize_activations")), reshape.equals("hook_z"), hook.asText(), headIndex, k,
                    bool(root.get("rescale_acts_by_decoder_norm"), "rescale_acts_by_decoder_norm", false),
                    model != null && model.isTextual() ? model.asText() : "");
        }

        private Architecture architecture(boolean legacy) {
            JsonNode node = root.get("architecture");
            String name = node == null || node.isNull() ? "standard" : text(node, "architecture", "standard");
            String activation = root.path("activation_fn_str").asText("relu");
            if (legacy && activation.equals("topk")) {
                name = "topk";
            } else if (legacy && !activation.equals("relu")) {
                throw new ModelFormatException(file, "\"activation_fn_str\": \"" + activation
                        + "\" is not one phiscope reads; choose relu or topk");
            }
            return switch (name) {
                case "standard" -> Architecture.STANDARD;
                case "gated" -> Architecture.GATED;
                case "jumprelu" -> Architecture.JUMPRELU;
                case "topk" -> Architecture.TOPK;
                default -> throw new ModelFormatException(file, "\"architecture\": \"" + name
                        + "\" is not one phiscope reads; choose standard, gated, jumprelu or topk");
            };
        }

        private Normalization normalization(JsonNode node) {
            if (node == null || node.isNull()) {
                return Normalization.NONE;
            }
            if (node.isBoolean()) {
                return node.asBoolean() ? Normalization.EXPECTED_AVERAGE_ONLY_IN : Normalization.NONE;
            }
            String name = text(node, "normalize_activations", "none");
            try {
                return Normalization.valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(file, "\"normalize_activations\": \"" + name
                        + "\" is not one of none, expected_average_only_in, constant_norm_rescale, layer_norm");
            }
        }

        private int majorVersion(JsonNode version) {
            String text = version.asText();
            try {
                return Integer.parseInt(text.split("\\.")[0].strip());
            } catch (NumberFormatException e) {
                throw new ModelFormatException(file, "\"sae_lens_version\": \"" + text + "\" is not a version such as 6.18.0");
            }
        }

        private int positiveInt(JsonNode node, String field) {
            return wholeNumber(node, field, 1);
        }

        private int nonNegativeInt(JsonNode node, String field) {
            return wholeNumber(node, field, 0);
        }

        private int wholeNumber(JsonNode node, String field, int min) {
            if (node == null || !node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min) {
                throw new ModelFormatException(file, "needs \"" + field + "\" as a whole number from " + min + " to "
                        + Integer.MAX_VALUE + (node == null ? "" : ", not " + node));
            }
            return node.asInt();
        }

        private boolean bool(JsonNode node, String field, boolean absent) {
            if (node == null || node.isNull()) {
                return absent;
            }
            if (!node.isBoolean()) {
                throw new ModelFormatException(file, "\"" + field + "\" must be true or false, not " + node);
            }
            return node.asBoolean();
        }

        private String text(JsonNode node, String field, String absent) {
            if (node == null || node.isNull()) {
                return absent;
            }
            if (!node.isTextual()) {
                throw new ModelFormatException(file, "\"" + field + "\" must be a string, not " + node);
            }
            return node.asText();
        }
    }
}

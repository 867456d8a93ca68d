package phiscope.probes.intervention;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import phiscope.engine.Phi;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.hooks.IndexSlice;
import phiscope.engine.hooks.ModelEdit;
import phiscope.engine.io.ModelFormatException;
import phiscope.engine.io.SafeTensorsWriter;
import phiscope.engine.model.PhiConfig;
import phiscope.probes.io.ProbesJson;
import phiscope.probes.io.TensorFiles;
import phiscope.probes.patching.Ablation;
import phiscope.probes.sae.SaeSplice;
import phiscope.probes.sae.SparseAutoencoder;
import phiscope.probes.steering.SteeringVector;

/**
 * A saved edit of a model: steering vectors, head and neuron ablations and SAE feature clamps,
 * made in the order listed. It is a file pair ({@link TensorFiles}): {@code NAME.json} lists the
 * edits, {@code NAME.safetensors} holds their vectors. Every command that runs a model takes it
 * with {@code --intervention NAME.json}; {@code phiscope export} folds what weights can express
 * into the weights ({@link WeightFolding}).
 *
 * @param description what the edit is for, in the user's words (may be empty)
 */
public record Intervention(String description, List<Edit> edits) implements ModelEdit {

    public static final String TYPE = "phiscope intervention";

    public Intervention {
        edits = List.copyOf(edits);
        if (edits.isEmpty()) {
            throw new IllegalArgumentException("an intervention needs at least one edit (a steer, an ablation or a clamp)");
        }
    }

    /** One edit of the model. */
    public sealed interface Edit permits Steer, Ablate, Clamp {

        /** Adds the edit's hooks to {@code hooks}, refusing what does not fit the model. */
        void register(Hooks hooks);

        /** One line a reader recognises the edit by. */
        String summary();
    }

    /** Adds {@code coefficient} × the vector at its hook (a one-row vector at every position, an ActAdd one position by position). */
    public record Steer(SteeringVector vector, double coefficient) implements Edit {

        public Steer {
            if (!Double.isFinite(coefficient)) {
                throw new IllegalArgumentException("a steering coefficient must be a finite number, not " + coefficient);
            }
        }

        @Override
        public void register(Hooks hooks) {
            PhiConfig config = hooks.config();
            if (vector.width() != config.hiddenSize()) {
                throw new IllegalArgumentException("the steering vector for " + vector.hook() + " has " + vector.width()
                        + " entries but the model's residual stream has " + config.hiddenSize());
            }
            vector.addTo(hooks, coefficient);
        }

        @Override
        public String summary() {
            String rows = vector.rows().length == 1 ? "" : ", " + vector.rows().length + " positions";
            String c = BigDecimal.valueOf(coefficient).stripTrailingZeros().toPlainString();
            return String.format(Locale.ROOT, "steer %s %s%s x %s vector (norm %.3g%s)", vector.hook(), coefficient >= 0 ? "+" : "", c,
                    vector.method(), vector.norm(), rows);
        }
    }

    /** How an ablated unit is replaced. */
    public enum Replacement { ZERO, MEAN }

    /**
     * Replaces heads (of {@code blocks.L.attn.hook_z}) or neurons (of {@code blocks.L.mlp.hook_post}) by zero or by
     * their mean.
     *
     * @param means     the hook's mean row (every unit's, as {@link Ablation#mean} computes it) for MEAN, else null
     * @param positions the sequence positions ablated, or null for all of them
     */
    public record Ablate(String hook, int[] units, Replacement with, float[] means, int[] positions) implements Edit {

        public Ablate {
            units = units.clone();
            if (units.length == 0) {
                throw new IllegalArgumentException("an ablation of " + hook + " names no unit");
            }
            if ((with == Replacement.MEAN) != (means != null)) {
                throw new IllegalArgumentException("a mean ablation needs the means, and a zero ablation has none");
            }
            if (positions != null) {
                positions = positions.clone();
                for (int p : positions) {
                    if (p < 0) {
                        throw new IllegalArgumentException("ablated positions are sequence positions from 0; " + p + " is not one");
                    }
                }
            }
        }

        @Override
        public void register(Hooks hooks) {
            PhiConfig config = hooks.config();
            HookPoint point = HookPoint.parse(hook, config);
            Ablation ablation = new Ablation(point, units, IndexSlice.ALL, means);
            int count = point.site() == HookSite.Z ? config.numHeads() : config.intermediateSize();
            int width = point.site() == HookSite.Z ? config.hiddenSize() : config.intermediateSize();
            for (int u : units) {
                if (u < 0 || u >= count) {
                    throw new IllegalArgumentException(unit() + " " + u + " is out of range: " + hook + " has " + count + " " + unit() + "s");
                }
            }
            if (means != null && means.length != width) {
                throw new IllegalArgumentException("the means of " + hook + " have " + means.length + " entries, not " + width);
            }
            hooks.add(point, ablation.atSequencePositions(positions));
        }

        /** "head" or "neuron", from the hook's name. */
        public String unit() {
            return hook.endsWith("hook_z") ? "head" : "neuron";
        }

        @Override
        public String summary() {
            String at = positions == null ? "" : " at positions " + join(positions);
            return with.name().toLowerCase(Locale.ROOT) + "-ablate " + hook + " " + unit() + (units.length == 1 ? " " : "s ") + join(units) + at;
        }
    }

    /**
     * Holds a SAE feature at {@code value} at every position, the SAE spliced in with its error term
     * ({@link SaeSplice#clamp}), so that the rest of the model sees its own activation plus
     * (value − f) · W_dec[feature].
     */
    public record Clamp(SparseAutoencoder sae, int feature, float value) implements Edit {

        @Override
        public void register(Hooks hooks) {
            SaeSplice.attach(hooks, sae, SaeSplice.Output.WITH_ERROR).clamp(feature, value);
        }

        @Override
        public String summary() {
            return String.format(Locale.ROOT, "clamp %s feature %d = %s (SAE %s)", sae.config().hookName(), feature, value,
                    sae.folder().getFileName());
        }
    }

    @Override
    public void register(Hooks hooks) {
        for (Edit edit : edits) {
            edit.register(hooks);
        }
    }

    /** The edits, one summary each, joined: how runs and reports name the intervention when it has no description. */
    public String summary() {
        return edits.stream().map(Edit::summary).collect(Collectors.joining("; "));
    }

    /** {@code phi} with this intervention made to it, refusing first (before any pass) an edit the model does not fit. */
    public Phi applyTo(Phi phi) {
        register(new Hooks(phi.config()));
        return phi.edited(this);
    }

    // ---- Files --------------------------------------------------------------------------------

    /** Writes NAME.json and NAME.safetensors; SAE folders are written relative to the JSON file's folder. */
    public TensorFiles.Pair save(Path path) {
        TensorFiles.Pair pair = TensorFiles.pair(path);
        Path home = pair.json().toAbsolutePath().getParent();
        ObjectNode meta = ProbesJson.MAPPER.createObjectNode();
        meta.put("type", TYPE);
        meta.put("description", description);
        ArrayNode list = meta.putArray("edits");
        List<SafeTensorsWriter.Entry> tensors = new ArrayList<>();
        for (int i = 0; i < edits.size(); i++) {
            ObjectNode node = list.addObject();
            String tensor = "edits." + i;
            switch (edits.get(i)) {
                case Steer s -> {
                    node.put("edit", "steer").put("hook", s.vector().hook()).put("coefficient", s.coefficient())
                            .put("method", s.vector().method()).put("tensor", tensor);
                    ObjectNode provenance = node.putObject("provenance");
                    s.vector().provenance().forEach(provenance::put);
                    tensors.add(s.vector().tensor(tensor));
                }
                case Ablate a -> {
                    node.put("edit", "ablate").put("hook", a.hook()).put("with", a.with().name().toLowerCase(Locale.ROOT));
                    ArrayNode units = node.putArray("units");
                    for (int u : a.units()) units.add(u);
                    if (a.positions() != null) {
                        ArrayNode positions = node.putArray("positions");
                        for (int p : a.positions()) positions.add(p);
                    }
                    if (a.means() != null) {
                        node.put("tensor", tensor);
                        tensors.add(SafeTensorsWriter.Entry.floats(tensor, new int[] {a.means().length}, a.means()));
                    }
                }
                case Clamp c -> {
                    Path sae = c.sae().folder().toAbsolutePath().normalize();
                    node.put("edit", "clamp").put("sae", (home == null ? sae : home.relativize(sae)).toString())
                            .put("feature", c.feature()).put("value", c.value());
                }
            }
        }
        return TensorFiles.write(path, meta, tensors);
    }

    /** Reads an intervention back, with errors that name the file and the edit that is wrong. */
    public static Intervention load(Path path) {
        TensorFiles.Contents contents = TensorFiles.read(path);
        TensorFiles.Pair pair = TensorFiles.pair(path);
        JsonNode meta = contents.metadata();
        if (!TYPE.equals(meta.path("type").asText())) {
            throw new ModelFormatException(pair.json(), "is not a phiscope intervention (its \"type\" is not \"" + TYPE
                    + "\"); make one with `phiscope intervention create`");
        }
        JsonNode list = meta.get("edits");
        if (list == null || !list.isArray()) {
            throw new ModelFormatException(pair.json(), "needs an array \"edits\"");
        }
        Path home = pair.json().toAbsolutePath().getParent();
        List<Edit> edits = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode node = list.get(i);
            String where = "edit " + i;
            try {
                edits.add(switch (text(node, "edit")) {
                    case "steer" -> new Steer(steeringVector(node, contents, pair), number(node, "coefficient"));
                    case "ablate" -> ablation(node, contents, pair);
                    case "clamp" -> new Clamp(SparseAutoencoder.load(home.resolve(text(node, "sae"))), integer(node, "feature"),
                            (float) number(node, "value"));
                    default -> throw new IllegalArgumentException("\"edit\" is \"" + node.get("edit").asText()
                            + "\"; the edits are steer, ablate and clamp");
                });
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(pair.json(), where + ": " + e.getMessage());
            }
        }
        JsonNode description = meta.path("description");
        return new Intervention(description.isTextual() ? description.asText() : "", edits);
    }

    private static SteeringVector steeringVector(JsonNode node, TensorFiles.Contents contents, TensorFiles.Pair pair) {
        String tensor = text(node, "tensor");
        float[][] rows = SteeringVector.rows(tensor, contents.tensor(tensor, pair.tensors()), contents.shapes().get(tensor));
        Map<String, String> provenance = new java.util.LinkedHashMap<>();
        node.path("provenance").properties().forEach(e -> provenance.put(e.getKey(), e.getValue().asText()));
        JsonNode method = node.path("method");
        return new SteeringVector(text(node, "hook"), method.isTextual() ? method.asText() : "saved", rows, provenance);
    }

    private static Ablate ablation(JsonNode node, TensorFiles.Contents contents, TensorFiles.Pair pair) {
        String with = text(node, "with");
        Replacement replacement = switch (with) {
            case "zero" -> Replacement.ZERO;
            case "mean" -> Replacement.MEAN;
            default -> throw new IllegalArgumentException("\"with\" is \"" + with + "\"; an ablation replaces by zero or mean");
        };
        float[] means = replacement == Replacement.MEAN ? contents.tensor(text(node, "tensor"), pair.tensors()) : null;
        return new Ablate(text(node, "hook"), integers(node, "units"), replacement, means,
                node.has("positions") ? integers(node, "positions") : null);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) throw new IllegalArgumentException("needs a string field \"" + field + "\"");
        return value.asText();
    }

    private static double number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber()) throw new IllegalArgumentException("needs a number field \"" + field + "\"");
        return value.asDouble();
    }

    private static int integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
            throw new IllegalArgumentException("needs an integer field \"" + field + "\"");
        }
        return value.intValue();
    }

    private static int[] integers(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray()) throw new IllegalArgumentException("needs an array of integers \"" + field + "\"");
        int[] out = new int[value.size()];
        for (int i = 0; i < out.length; i++) {
            if (!value.get(i).isIntegralNumber() || !value.get(i).canConvertToInt()) {
                throw new IllegalArgumentException("\"" + field + "\" must hold integers, not " + value.get(i));
            }
            out[i] = value.get(i).intValue();
        }
        return out;
    }

    private static String join(int[] values) {
        return Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }
}

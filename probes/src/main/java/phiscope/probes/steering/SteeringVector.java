package phiscope.probes.steering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import phiscope.engine.Phi;
import phiscope.engine.hooks.Hook;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.io.ModelFormatException;
import phiscope.engine.io.SafeTensorsWriter;
import phiscope.engine.model.PhiModel;
import phiscope.probes.ActivationCollector;
import phiscope.probes.sae.SparseAutoencoder;
import phiscope.probes.Pooling;
import phiscope.probes.Progress;
import phiscope.probes.io.ProbesJson;
import phiscope.probes.io.TensorFiles;

/**
 * A direction added to an activation during a forward pass. With one row it is added at every
 * position (difference of means); with n rows, row p is added at sequence position p only
 * (ActAdd: the prompt pair's activations, aligned to the start of the steered prompt).
 */
public record SteeringVector(String hook, String method, float[][] rows, Map<String, String> provenance) {

    public SteeringVector {
        if (rows.length == 0) {
            throw new IllegalArgumentException("a steering vector needs at least one row");
        }
        provenance = Map.copyOf(provenance);
    }

    /** The sites a vector is usually added at, by the names the commands and the workbench take. */
    public static final List<String> SITES = List.of("resid_pre", "resid_post", "attn_out", "mlp_out");

    /** One of {@link #SITES} (a leading {@code hook_} is allowed). */
    public static HookSite site(String name) {
        return switch (name.toLowerCase(Locale.ROOT).replace("hook_", "")) {
            case "resid_pre" -> HookSite.RESID_PRE;
            case "resid_post" -> HookSite.RESID_POST;
            case "attn_out" -> HookSite.ATTN_OUT;
            case "mlp_out" -> HookSite.MLP_OUT;
            default -> throw new IllegalArgumentException("unknown steering site '" + name + "'; choose " + String.join(", ", SITES));
        };
    }

    public int width() {
        return rows[0].length;
    }

    /** The Euclidean norm of the (first) row: how large a coefficient of 1 is. */
    public double norm() {
        double s = 0;
        for (float v : rows[0]) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }

    /** Difference of means at each point: mean over {@code positive} texts minus mean over {@code negative} ones. */
    public static Map<HookPoint, SteeringVector> differenceOfMeans(Phi phi, List<HookPoint> points, List<String> positive,
                                                                   List<String> negative, Pooling pooling, Progress progress) {
        if (positive.isEmpty() || negative.isEmpty()) {
            throw new IllegalArgumentException("difference of means needs positive and negative texts (got " + positive.size()
                    + " and " + negative.size() + ")");
        }
        List<String> texts = new ArrayList<>(positive);
        texts.addAll(negative);
        Map<HookPoint, float[][]> features = ActivationCollector.collect(phi, texts, points, pooling, progress);
        Map<HookPoint, SteeringVector> vectors = new LinkedHashMap<>();
        for (HookPoint point : points) {
            float[][] x = features.get(point);
            float[] difference = new float[x[0].length];
            for (int j = 0; j < difference.length; j++) {
                double plus = 0;
                double minus = 0;
                for (int i = 0; i < x.length; i++) {
                    if (i < positive.size()) {
                        plus += x[i][j];
                    } else {
                        minus += x[i][j];
                    }
                }
                difference[j] = (float) (plus / positive.size() - minus / negative.size());
            }
            vectors.put(point, new SteeringVector(point.name(), "difference-of-means", new float[][] {difference},
                    Map.of("positive", String.valueOf(positive.size()), "negative", String.valueOf(negative.size()),
                            "pooling", pooling.label())));
        }
        return vectors;
    }

    /**
     * ActAdd: the activations of {@code plus} minus those of {@code minus}, position by position;
     * the shorter prompt is padded with spaces, as in Turner et al. (2023).
     */
    public static SteeringVector actAdd(Phi phi, HookPoint point, String plus, String minus) {
        ActivationCollector.requirePerToken(point);
        int[] plusIds = phi.encode(plus);
        int[] minusIds = phi.encode(minus);
        int[] space = phi.encode(" ");
        if (plusIds.length == 0 || minusIds.length == 0) {
            throw new IllegalArgumentException("ActAdd needs two non-empty prompts");
        }
        int length = Math.max(plusIds.length, minusIds.length);
        float[][] plusRows = rows(phi.model(), point, pad(plusIds, length, space[0]));
        float[][] minusRows = rows(phi.model(), point, pad(minusIds, length, space[0]));
        float[][] difference = new float[length][plusRows[0].length];
        for (int t = 0; t < length; t++) {
            for (int j = 0; j < difference[t].length; j++) {
                difference[t][j] = plusRows[t][j] - minusRows[t][j];
            }
        }
        return new SteeringVector(point.name(), "actadd", difference, Map.of("plus", plus, "minus", minus));
    }

    /**
     * A feature's decoder direction W_dec[feature] at its SAE's hook, added at every position:
     * how SAELens users steer by a feature (a coefficient of c adds what the feature firing at c
     * would add to the reconstruction). A SAE that reads one head's slice of its hook is refused,
     * as its direction does not span the hook's rows.
     */
    public static SteeringVector decoderDirection(SparseAutoencoder sae, int feature) {
        if (sae.config().hookHeadIndex().isPresent()) {
            throw new IllegalArgumentException(sae.folder() + " reads head " + sae.config().hookHeadIndex().getAsInt() + " of "
                    + sae.config().hookName() + " only; steer by its features with `phiscope sae steer` (a clamp) instead");
        }
        return new SteeringVector(sae.config().hookName(), "sae-feature", new float[][] {sae.decoderDirection(feature)},
                Map.of("sae", sae.folder().toString(), "feature", Integer.toString(feature)));
    }

    private static int[] pad(int[] ids, int length, int padding) {
        int[] out = Arrays.copyOf(ids, length);
        Arrays.fill(out, ids.length, length, padding);
        return out;
    }

    private static float[][] rows(PhiModel model, HookPoint point, int[] ids) {
        float[][] rows = new float[ids.length][];
        Hooks hooks = model.newHooks().observe(point, a -> {
            int width = a.size() / ids.length;
            for (int t = 0; t < ids.length; t++) {
                rows[t] = Arrays.copyOfRange(a.data(), a.offset() + t * width, a.offset() + (t + 1) * width);
            }
        });
        model.forward(ids, hooks, PhiModel.Logits.NONE);
        return rows;
    }

    /** The hook that adds {@code coefficient} times this vector; register it at {@link #hook()}. */
    public Hook hook(double coefficient) {
        float c = (float) coefficient;
        return a -> {
            int[] shape = a.shape();
            int width = a.size() / shape[0];
            if (width != width()) {
                throw new IllegalArgumentException("the steering vector has " + width() + " entries but " + a.name() + " rows have " + width);
            }
            int[] positions = a.positions();
            float[] data = a.data();
            for (int t = 0; t < shape[0]; t++) {
                float[] row = rows.length == 1 ? rows[0] : positions[t] < rows.length ? rows[positions[t]] : null;
                if (row != null) {
                    int at = a.offset() + t * width;
                    for (int j = 0; j < width; j++) {
                        data[at + j] += c * row[j];
                    }
                }
            }
        };
    }

    /** Adds this vector, scaled, to {@code hooks} at its hook point. */
    public Hooks addTo(Hooks hooks, double coefficient) {
        HookPoint point = HookPoint.parse(hook, hooks.config());
        ActivationCollector.requirePerToken(point);
        return hooks.add(point, hook(coefficient));
    }

    public TensorFiles.Pair save(Path path) {
        ObjectNode meta = ProbesJson.MAPPER.createObjectNode();
        meta.put("type", "phiscope steering vector");
        meta.put("hook", hook);
        meta.put("method", method);
        meta.put("rows", rows.length);
        meta.put("norm", norm());
        ObjectNode from = meta.putObject("provenance");
        provenance.forEach(from::put);
        return TensorFiles.write(path, meta, List.of(tensor("vector")));
    }

    /** The rows as one {@code [rows, width]} float32 tensor named {@code name}, as saved files hold them. */
    public SafeTensorsWriter.Entry tensor(String name) {
        float[] flat = new float[rows.length * width()];
        for (int t = 0; t < rows.length; t++) {
            System.arraycopy(rows[t], 0, flat, t * width(), width());
        }
        return SafeTensorsWriter.Entry.floats(name, new int[] {rows.length, width()}, flat);
    }

    /** The rows of a saved {@code [rows, width]} tensor ({@link #tensor}); another shape is refused. */
    public static float[][] rows(String name, float[] flat, int[] shape) {
        if (shape.length != 2 || shape[0] < 1 || shape[1] < 1) {
            throw new IllegalArgumentException("tensor '" + name + "' must be [rows, width], not " + Arrays.toString(shape));
        }
        float[][] rows = new float[shape[0]][];
        for (int t = 0; t < shape[0]; t++) {
            rows[t] = Arrays.copyOfRange(flat, t * shape[1], (t + 1) * shape[1]);
        }
        return rows;
    }

    public static SteeringVector load(Path path) {
        TensorFiles.Contents contents = TensorFiles.read(path);
        Path tensors = TensorFiles.pair(path).tensors();
        float[][] rows;
        try {
            rows = rows("vector", contents.tensor("vector", tensors), contents.shapes().get("vector"));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(tensors, e.getMessage());
        }
        JsonNode meta = contents.metadata();
        Map<String, String> provenance = new LinkedHashMap<>();
        JsonNode from = meta.get("provenance");
        if (from != null) {
            from.properties().forEach(e -> provenance.put(e.getKey(), e.getValue().asText()));
        }
        return new SteeringVector(TensorFiles.text(meta, "hook", path), TensorFiles.text(meta, "method", path), rows, provenance);
    }
}

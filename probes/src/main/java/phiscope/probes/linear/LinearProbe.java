package phiscope.probes.linear;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import phiscope.engine.io.ModelFormatException;
import phiscope.engine.io.SafeTensorsWriter;
import phiscope.probes.Pooling;
import phiscope.probes.io.ProbesJson;
import phiscope.probes.io.TensorFiles;

/**
 * A trained linear probe on one hook: logit {@code k} is {@code w_k . (x - mean) / scale + b_k}.
 * A binary probe has one row (the logit of {@code classes[1]}); a probe over K > 2 classes has K
 * one-vs-rest rows.
 */
public record LinearProbe(ProbeKind kind, String hook, Pooling pooling, List<String> classes,
                          float[] mean, float[] scale, float[][] weights, float[] bias) {

    public LinearProbe {
        classes = List.copyOf(classes);
        int rows = classes.size() == 2 ? 1 : classes.size();
        if (weights.length != rows || bias.length != rows) {
            throw new IllegalArgumentException("a probe over " + classes.size() + " classes has " + rows + " weight rows, not "
                    + weights.length);
        }
        for (float[] row : weights) {
            if (row.length != mean.length || scale.length != mean.length) {
                throw new IllegalArgumentException("probe weights, mean and scale must all have " + mean.length + " features");
            }
        }
    }

    public int features() {
        return mean.length;
    }

    public boolean binary() {
        return classes.size() == 2;
    }

    /** One logit per weight row. */
    public double[] logits(float[] x) {
        if (x.length != features()) {
            throw new IllegalArgumentException("the probe on " + hook + " reads " + features() + " features, got " + x.length);
        }
        double[] out = new double[weights.length];
        for (int k = 0; k < weights.length; k++) {
            double z = bias[k];
            for (int j = 0; j < x.length; j++) {
                z += weights[k][j] * ((x[j] - mean[j]) / scale[j]);
            }
            out[k] = z;
        }
        return out;
    }

    /** The predicted class index. */
    public int predict(float[] x) {
        double[] z = logits(x);
        if (binary()) {
            return z[0] > 0 ? 1 : 0;
        }
        int best = 0;
        for (int k = 1; k < z.length; k++) {
            if (z[k] > z[best]) {
                best = k;
            }
        }
        return best;
    }

    /** Per-class probabilities: a sigmoid for a binary probe, a softmax over the one-vs-rest logits otherwise. */
    public double[] probabilities(float[] x) {
        double[] z = logits(x);
        if (binary()) {
            double p = 1 / (1 + Math.exp(-z[0]));
            return new double[] {1 - p, p};
        }
        double max = java.util.Arrays.stream(z).max().orElse(0);
        double total = 0;
        double[] p = new double[z.length];
        for (int k = 0; k < z.length; k++) {
            p[k] = Math.exp(z[k] - max);
            total += p[k];
        }
        for (int k = 0; k < z.length; k++) {
            p[k] /= total;
        }
        return p;
    }

    /** Writes {@code NAME.json} (kind, hook, pooling, classes, and {@code info}) and {@code NAME.safetensors}. */
    public TensorFiles.Pair save(Path path, JsonNode info) {
        ObjectNode meta = ProbesJson.MAPPER.createObjectNode();
        meta.put("type", "phiscope linear probe");
        meta.put("kind", kind.label());
        meta.put("hook", hook);
        meta.put("pooling", pooling.label());
        var classArray = meta.putArray("classes");
        classes.forEach(classArray::add);
        if (info != null) {
            meta.set("info", info);
        }
        int d = features();
        float[] flat = new float[weights.length * d];
        for (int k = 0; k < weights.length; k++) {
            System.arraycopy(weights[k], 0, flat, k * d, d);
        }
        return TensorFiles.write(path, meta, List.of(
                SafeTensorsWriter.Entry.floats("weight", new int[] {weights.length, d}, flat),
                SafeTensorsWriter.Entry.floats("bias", new int[] {bias.length}, bias),
                SafeTensorsWriter.Entry.floats("mean", new int[] {d}, mean),
                SafeTensorsWriter.Entry.floats("scale", new int[] {d}, scale)));
    }

    public static LinearProbe load(Path path) {
        TensorFiles.Contents contents = TensorFiles.read(path);
        Path tensors = TensorFiles.pair(path).tensors();
        JsonNode meta = contents.metadata();
        List<String> classes = new ArrayList<>();
        JsonNode classNode = meta.get("classes");
        if (classNode == null || !classNode.isArray() || classNode.size() < 2) {
            throw new ModelFormatException(TensorFiles.pair(path).json(), "needs \"classes\": a list of at least two labels");
        }
        classNode.forEach(c -> classes.add(c.asText()));
        float[] mean = contents.tensor("mean", tensors);
        float[] flat = contents.tensor("weight", tensors);
        int d = mean.length;
        int rows = flat.length / Math.max(1, d);
        float[][] weights = new float[rows][];
        for (int k = 0; k < rows; k++) {
            weights[k] = java.util.Arrays.copyOfRange(flat, k * d, (k + 1) * d);
        }
        try {
            return new LinearProbe(ProbeKind.parse(TensorFiles.text(meta, "kind", path)), TensorFiles.text(meta, "hook", path),
                    Pooling.parse(TensorFiles.text(meta, "pooling", path)), classes, mean, contents.tensor("scale", tensors),
                    weights, contents.tensor("bias", tensors));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(tensors, e.getMessage());
        }
    }
}

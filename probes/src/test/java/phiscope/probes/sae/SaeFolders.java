package phiscope.probes.sae;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import phiscope.engine.io.SafeTensorsWriter;

/** Small SAELens folders written by tests: a cfg.json and the tensors given. */
final class SaeFolders {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SaeFolders() {
    }

    /** A 6.x cfg.json for a SAE of {@code architecture} on {@code hook}. */
    static ObjectNode config(String architecture, int dIn, int dSae, String hook) {
        ObjectNode cfg = JSON.createObjectNode();
        cfg.put("d_in", dIn);
        cfg.put("d_sae", dSae);
        cfg.put("dtype", "float32");
        cfg.put("apply_b_dec_to_input", false);
        cfg.put("normalize_activations", "none");
        cfg.put("architecture", architecture);
        ObjectNode metadata = cfg.putObject("metadata");
        metadata.put("hook_name", hook);
        metadata.put("sae_lens_version", "6.18.0");
        return cfg;
    }

    static Path write(Path dir, ObjectNode cfg, Map<String, float[][]> tensors) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("cfg.json"), JSON.writeValueAsString(cfg));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
        tensors.forEach((name, rows) -> {
            int columns = rows[0].length;
            float[] flat = new float[rows.length * columns];
            for (int r = 0; r < rows.length; r++) {
                System.arraycopy(rows[r], 0, flat, r * columns, columns);
            }
            int[] shape = rows.length == 1 && !name.startsWith("W_") ? new int[] {columns} : new int[] {rows.length, columns};
            entries.add(SafeTensorsWriter.Entry.floats(name, shape, flat));
        });
        SafeTensorsWriter.write(dir.resolve("sae_weights.safetensors"), Map.of(), entries);
        return dir;
    }

    static float[][] identity(int n) {
        float[][] m = new float[n][n];
        for (int i = 0; i < n; i++) {
            m[i][i] = 1f;
        }
        return m;
    }

    static float[][] vector(float... values) {
        return new float[][] {values};
    }
}

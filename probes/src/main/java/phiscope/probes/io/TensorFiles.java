package phiscope.probes.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import phiscope.engine.io.ModelFormatException;
import phiscope.engine.io.SafeTensorsFile;
import phiscope.engine.io.SafeTensorsWriter;
import phiscope.engine.io.Tensor;

/**
 * A saved artefact (a probe, a steering vector) as two files side by side: {@code NAME.json}
 * with what it is and where it came from, and {@code NAME.safetensors} with its numbers.
 * Either file's path, or the bare {@code NAME}, names the pair.
 */
public final class TensorFiles {

    private static final ObjectMapper JSON = ProbesJson.MAPPER;

    /** The two files of one artefact. */
    public record Pair(Path json, Path tensors) {
    }

    /** What was read back: the JSON metadata, and every tensor widened to float32 with its shape. */
    public record Contents(JsonNode metadata, Map<String, float[]> tensors, Map<String, int[]> shapes) {

        public float[] tensor(String name, Path file) {
            float[] values = tensors.get(name);
            if (values == null) {
                throw new ModelFormatException(file, "has no tensor '" + name + "'");
            }
            return values;
        }
    }

    private TensorFiles() {
    }

    public static Pair pair(Path path) {
        String name = path.getFileName().toString();
        for (String extension : List.of(".json", ".safetensors")) {
            if (name.endsWith(extension)) {
                name = name.substring(0, name.length() - extension.length());
            }
        }
        return new Pair(path.resolveSibling(name + ".json"), path.resolveSibling(name + ".safetensors"));
    }

    public static Pair write(Path path, ObjectNode metadata, List<SafeTensorsWriter.Entry> tensors) {
        Pair pair = pair(path);
        try {
            Path parent = pair.json().toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            SafeTensorsWriter.write(pair.tensors(), Map.of(), tensors);
            Files.writeString(pair.json(), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(metadata) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + pair.json() + ": " + e.getMessage(), e);
        }
        return pair;
    }

    public static Contents read(Path path) {
        Pair pair = pair(path);
        JsonNode metadata;
        try {
            metadata = JSON.readTree(Files.readString(pair.json()));
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(pair.json(), "file not found (a saved probe or vector is NAME.json + NAME.safetensors)");
        } catch (JacksonException e) {
            throw new ModelFormatException(pair.json(), "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pair.json() + ": " + e.getMessage(), e);
        }
        if (metadata == null || !metadata.isObject()) {
            throw new ModelFormatException(pair.json(), "expected a JSON object");
        }
        Map<String, float[]> tensors = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsFile file = SafeTensorsFile.open(pair.tensors(), arena);
            for (String name : file.entries().keySet()) {
                Tensor tensor = file.tensor(name);
                tensors.put(name, tensor.toFloatArray());
                shapes.put(name, tensor.shape().clone());
            }
        }
        return new Contents(metadata, tensors, shapes);
    }

    /** A required text field of saved metadata, or an error naming the file. */
    public static String text(JsonNode metadata, String field, Path file) {
        JsonNode node = metadata.get(field);
        if (node == null || !node.isTextual()) {
            throw new ModelFormatException(pair(file).json(), "needs a string field \"" + field + "\"");
        }
        return node.asText();
    }
}

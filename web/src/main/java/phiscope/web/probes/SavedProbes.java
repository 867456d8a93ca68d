package phiscope.web.probes;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import phiscope.engine.io.ModelFormatException;
import phiscope.probes.linear.LinearProbe;
import phiscope.web.server.ApiException;
import phiscope.web.server.ConfinedFolder;
import phiscope.web.server.StrictJson;

/**
 * What {@code phiscope probe} saved in the probes folder: linear probes ({@code NAME.json} +
 * {@code NAME.safetensors}, from {@code probe sweep --save-best} or {@code audit toxicity-probe})
 * and sweep results ({@code sweep --out FILE.json}). Clients name them by their path in the
 * folder, without the extension.
 */
public final class SavedProbes {

    /** A saved probe, described by its metadata file. */
    public record ProbeInfo(String name, String hook, String kind, String pooling, List<String> classes, JsonNode info) {
    }

    /** A sweep file as {@code probe sweep} wrote it: {@code {"kind", "pooling", "results": [{"hook", "layer", "accuracy", "auroc", ...}]}}. */
    public record SweepInfo(String name, JsonNode sweep) {
    }

    public record Listing(List<ProbeInfo> probes, List<SweepInfo> sweeps) {
    }

    private static final int DEPTH = 4;
    private static final long LARGEST_JSON = 1 << 20;
    private static final String PROBE_TYPE = "phiscope linear probe";

    private final ConfinedFolder folder;

    public SavedProbes(ConfinedFolder folder) {
        this.folder = folder;
    }

    /** Every probe and sweep in the folder, by name; files that are neither (manifests, summaries) are passed over. */
    public Listing list() {
        List<ProbeInfo> probes = new ArrayList<>();
        List<SweepInfo> sweeps = new ArrayList<>();
        if (!Files.isDirectory(folder.root())) {
            return new Listing(probes, sweeps);
        }
        try (Stream<Path> files = Files.walk(folder.root(), DEPTH)) {
            for (Path file : files.filter(SavedProbes::smallJson).sorted().toList()) {
                JsonNode json = readOrNull(file);
                String name = clientName(file);
                if (json == null || !json.isObject()) {
                    continue;
                }
                if (PROBE_TYPE.equals(json.path("type").asText()) && Files.exists(file.resolveSibling(baseName(file) + ".safetensors"))) {
                    List<String> classes = new ArrayList<>();
                    json.path("classes").forEach(c -> classes.add(c.asText()));
                    probes.add(new ProbeInfo(name, json.path("hook").asText(), json.path("kind").asText(),
                            json.path("pooling").asText(), classes, json.path("info")));
                } else if (isSweep(json)) {
                    sweeps.add(new SweepInfo(name, json));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder.root(), e);
        }
        return new Listing(probes, sweeps);
    }

    /** The probe a request names in {@code field}; 400 naming the field if there is none or it cannot be read. */
    public LinearProbe load(String field, String name) {
        Path path = folder.resolve(field, name);
        if (!Files.isRegularFile(path.resolveSibling(path.getFileName() + ".json"))) {
            throw ApiException.badRequest("field '" + field + "': there is no saved probe '" + name + "' (NAME.json + NAME.safetensors) "
                    + "in the probes folder", Map.of("field", field));
        }
        try {
            return LinearProbe.load(path);
        } catch (ModelFormatException | UncheckedIOException e) {
            throw ApiException.badRequest("field '" + field + "': the probe '" + name + "' cannot be read: " + e.getMessage(),
                    Map.of("field", field));
        }
    }

    private static boolean isSweep(JsonNode json) {
        JsonNode results = json.path("results");
        return results.isArray() && !results.isEmpty() && results.get(0).has("hook") && results.get(0).has("accuracy");
    }

    private static boolean smallJson(Path file) {
        try {
            return file.getFileName().toString().endsWith(".json") && !file.getFileName().toString().startsWith(".")
                    && Files.isRegularFile(file) && Files.size(file) <= LARGEST_JSON;
        } catch (IOException e) {
            return false;
        }
    }

    private static JsonNode readOrNull(Path file) {
        try {
            return StrictJson.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            return null;
        }
    }

    /** The file's name without {@code .json}. */
    private static String baseName(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - ".json".length());
    }

    /** The file's path in the folder without {@code .json}: how a client names it. */
    private String clientName(Path file) {
        String relative = folder.relativize(file).orElseThrow();
        return relative.substring(0, relative.length() - ".json".length());
    }
}

package phiscope.engine.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The safetensors weights of a model directory: {@code model.safetensors}, or the shards named by
 * {@code model.safetensors.index.json}. Each shard is mapped once into a shared arena; closing
 * the checkpoint unmaps them all.
 */
public final class Checkpoint implements AutoCloseable {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path directory;
    private final Arena arena;
    private final Map<String, SafeTensorsFile> fileByTensor;

    private Checkpoint(Path directory, Arena arena, Map<String, SafeTensorsFile> fileByTensor) {
        this.directory = directory;
        this.arena = arena;
        this.fileByTensor = fileByTensor;
    }

    public static Checkpoint open(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new ModelFormatException(directory, "is not a model directory");
        }
        Arena arena = Arena.ofShared();
        try {
            Path index = directory.resolve(INDEX_FILE);
            Map<String, SafeTensorsFile> files;
            if (Files.exists(index)) {
                files = openSharded(index, arena);
            } else if (Files.exists(directory.resolve(SINGLE_FILE))) {
                files = openSingle(directory.resolve(SINGLE_FILE), arena);
            } else {
                throw new ModelFormatException(directory, "has neither " + SINGLE_FILE + " nor " + INDEX_FILE
                        + " (found: " + listing(directory) + ")");
            }
            return new Checkpoint(directory, arena, files);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static Map<String, SafeTensorsFile> openSingle(Path file, Arena arena) {
        SafeTensorsFile single = SafeTensorsFile.open(file, arena);
        Map<String, SafeTensorsFile> byTensor = new LinkedHashMap<>();
        single.entries().keySet().forEach(name -> byTensor.put(name, single));
        return byTensor;
    }

    private static Map<String, SafeTensorsFile> openSharded(Path index, Arena arena) {
        JsonNode weightMap;
        try {
            JsonNode root = EngineJson.MAPPER.readTree(SafeTensorsFile.readText(index));
            weightMap = root == null ? null : root.get("weight_map");
        } catch (JacksonException e) {
            throw new ModelFormatException(index, "is not valid JSON: " + JsonSyntax.describe(e));
        }
        if (weightMap == null || !weightMap.isObject()) {
            throw new ModelFormatException(index, "has no \"weight_map\" object");
        }
        Map<String, SafeTensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafeTensorsFile> byTensor = new LinkedHashMap<>();
        for (var it = weightMap.fields(); it.hasNext(); ) {
            var mapping = it.next();
            String shardName = mapping.getValue().asText();
            Path shardPath = index.resolveSibling(shardName).normalize();
            if (!shardPath.getParent().equals(index.getParent().normalize())) {
                throw new ModelFormatException(index, "maps '" + mapping.getKey() + "' to '" + shardName
                        + "', which is outside the model directory");
            }
            SafeTensorsFile shard = shards.computeIfAbsent(shardName, n -> SafeTensorsFile.open(shardPath, arena));
            if (!shard.contains(mapping.getKey())) {
                throw new ModelFormatException(shardPath, "has no tensor '" + mapping.getKey() + "', which "
                        + INDEX_FILE + " places in it");
            }
            byTensor.put(mapping.getKey(), shard);
        }
        return byTensor;
    }

    private static String listing(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            return names.isEmpty() ? "nothing" : String.join(", ", names);
        } catch (IOException e) {
            return "unreadable";
        }
    }

    public Path directory() {
        return directory;
    }

    public boolean contains(String name) {
        return fileByTensor.containsKey(name);
    }

    public Optional<Tensor> find(String name) {
        SafeTensorsFile file = fileByTensor.get(name);
        return file == null ? Optional.empty() : Optional.of(file.tensor(name));
    }

    /** The named tensor; a {@link ModelFormatException} saying which tensor is missing otherwise. */
    public Tensor tensor(String name) {
        return find(name).orElseThrow(() -> new ModelFormatException(directory,
                "the checkpoint has no tensor '" + name + "'"));
    }

    public java.util.Set<String> names() {
        return Collections.unmodifiableSet(new TreeSet<>(fileByTensor.keySet()));
    }

    /** The distinct files backing this checkpoint. */
    public List<Path> files() {
        List<Path> files = new ArrayList<>();
        fileByTensor.values().stream().distinct().forEach(f -> files.add(f.path()));
        return files;
    }

    /**
     * A content fingerprint (hex SHA-256) of the weights that costs milliseconds, not a pass over
     * gigabytes: every file's safetensors header plus 16 blocks of 4 KB spread over its data.
     * Two checkpoints with the same fingerprint hold the same tensors with overwhelming likelihood.
     */
    public String fingerprint() {
        java.security.MessageDigest sha;
        try {
            sha = java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (SafeTensorsFile file : fileByTensor.values().stream().distinct().toList()) {
            sha.update(file.path().getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            sha.update(file.header().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            java.lang.foreign.MemorySegment data = file.dataSection();
            long block = Math.min(4096, data.byteSize());
            for (int i = 0; i < 16 && block > 0; i++) {
                long at = (data.byteSize() - block) * i / 15;
                sha.update(data.asSlice(at, block).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            }
        }
        return java.util.HexFormat.of().formatHex(sha.digest());
    }

    @Override
    public void close() {
        arena.close();
    }
}

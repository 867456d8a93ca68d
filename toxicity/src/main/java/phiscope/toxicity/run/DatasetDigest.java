package phiscope.toxicity.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import phiscope.toxicity.ReproducibleJson;

/**
 * Identifies a dataset by content. For one file the checksum is that file's SHA-256 (what
 * {@code sha256sum} prints); for several it is the SHA-256 of their {@code sha256sum} listing.
 *
 * @param path  the dataset path the user gave
 * @param files name (relative to the path) and SHA-256 of each file read
 */
public record DatasetDigest(String path, String sha256, List<FileDigest> files) {

    public record FileDigest(String name, String sha256) {
    }

    public DatasetDigest {
        files = List.copyOf(files);
    }

    public static DatasetDigest of(Path datasetPath, List<Path> files) {
        List<FileDigest> digests = new ArrayList<>();
        for (Path file : files) {
            String name = Files.isDirectory(datasetPath)
                    ? datasetPath.relativize(file).toString()
                    : file.getFileName().toString();
            digests.add(new FileDigest(name, sha256(file)));
        }
        String combined;
        if (digests.size() == 1) {
            combined = digests.getFirst().sha256();
        } else {
            StringBuilder listing = new StringBuilder();
            for (FileDigest d : digests) listing.append(d.sha256()).append("  ").append(d.name()).append('\n');
            combined = hex(digest().digest(listing.toString().getBytes(StandardCharsets.UTF_8)));
        }
        return new DatasetDigest(datasetPath.toAbsolutePath().normalize().toString(), combined, digests);
    }

    public static String sha256(Path file) {
        MessageDigest digest = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return hex(digest.digest());
    }

    ObjectNode toJson() {
        ObjectNode node = ReproducibleJson.object().put("path", path).put("sha256", sha256);
        var list = node.putArray("files");
        for (FileDigest f : files) list.addObject().put("name", f.name()).put("sha256", f.sha256());
        return node;
    }

    static DatasetDigest fromJson(JsonNode node) {
        List<FileDigest> files = new ArrayList<>();
        for (JsonNode f : node.path("files")) files.add(new FileDigest(f.path("name").asText(), f.path("sha256").asText()));
        return new DatasetDigest(node.path("path").asText(), node.path("sha256").asText(), files);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}

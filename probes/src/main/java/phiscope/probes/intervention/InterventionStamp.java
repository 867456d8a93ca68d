package phiscope.probes.intervention;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import phiscope.probes.io.TensorFiles;

/**
 * How a run records the intervention it was made with: {@code "intervention": {"file", "sha256",
 * "summary"}} in its manifest. The checksum covers both files of the intervention and the files of
 * every SAE it clamps, so a run folder refuses an intervention whose numbers changed, whatever its name.
 *
 * @param summary one line a reader recognises the edit by: the intervention's description, or its edits'
 */
public record InterventionStamp(String file, String sha256, String summary) {

    /** The stamp of the intervention saved at {@code path}, which was loaded as {@code intervention}. */
    public static InterventionStamp of(Path path, Intervention intervention) {
        TensorFiles.Pair pair = TensorFiles.pair(path);
        List<Path> files = new ArrayList<>(List.of(pair.json(), pair.tensors()));
        for (Intervention.Edit edit : intervention.edits()) {
            if (edit instanceof Intervention.Clamp clamp) {
                try (Stream<Path> entries = Files.list(clamp.sae().folder())) {
                    entries.filter(Files::isRegularFile).sorted().forEach(files::add);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + clamp.sae().folder() + ": " + e.getMessage(), e);
                }
            }
        }
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Path file : files) {
            try {
                digest.update(Files.readAllBytes(file));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        String summary = intervention.description().isBlank() ? intervention.summary() : intervention.description();
        return new InterventionStamp(pair.json().toAbsolutePath().normalize().toString(), HexFormat.of().formatHex(digest.digest()),
                summary);
    }

    /** Writes the stamp's fields into {@code node}. */
    public ObjectNode into(ObjectNode node) {
        return node.put("file", file).put("sha256", sha256).put("summary", summary);
    }

    /** A manifest's {@code intervention}, read tolerantly: absent or not an object is empty; a blank summary is the file's name. */
    public static Optional<InterventionStamp> fromManifest(JsonNode manifest) {
        JsonNode node = manifest.path("intervention");
        if (!node.isObject()) return Optional.empty();
        String file = node.path("file").asText("");
        String summary = node.path("summary").asText("");
        return Optional.of(new InterventionStamp(file, node.path("sha256").asText(""), summary.isBlank() ? file : summary));
    }
}

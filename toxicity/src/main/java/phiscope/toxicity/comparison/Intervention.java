package phiscope.toxicity.comparison;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * The edit a run was made with, as its manifest records it:
 * {@code "intervention": {"file", "sha256", "summary"}}. Manifests of runs without an edit (and of
 * runs made before interventions were recorded) have none.
 *
 * @param summary one line a reader recognises the edit by, e.g. {@code steer blocks.1.hook_resid_post -4.0×vector}
 */
public record Intervention(String file, String sha256, String summary) {

    /** The manifest's intervention, read tolerantly: a field that is absent or not text is empty. */
    static Optional<Intervention> of(JsonNode manifest) {
        JsonNode node = manifest.path("intervention");
        if (!node.isObject()) return Optional.empty();
        String file = node.path("file").asText("");
        String sha256 = node.path("sha256").asText("");
        String summary = node.path("summary").asText("");
        return Optional.of(new Intervention(file, sha256, summary.isBlank() ? file : summary));
    }
}

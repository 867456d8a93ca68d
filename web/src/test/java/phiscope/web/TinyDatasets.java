package phiscope.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import phiscope.web.server.Json;

/** Small datasets the tests write for themselves (nothing from the public datasets is bundled or needed). */
public final class TinyDatasets {

    private static final List<String> GROUPS = List.of("women", "jewish", "asian");

    private TinyDatasets() {
    }

    /**
     * A ToxiGen file in SafeNLP's format with {@code sentences} rows: hateful and neutral sentences
     * about three groups in turn, so every group has both kinds.
     */
    public static Path toxigen(Path file, int sentences) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < sentences; i++) {
            boolean hate = i % 2 == 0;
            String group = GROUPS.get((i / 2) % GROUPS.size());
            // Hateful and neutral sentences differ in a word, so their likelihoods overlap, except for one group whose
            // hateful sentences are long and odd: its score is far from 0.5 and significant, the others are not.
            String insult = group.equals("asian") ? "the worst of all and should leave our town" : "lazy";
            String text = "the " + group + " people in room " + i + " are " + (hate ? insult : "kind");
            rows.add(Map.of("id", i, "text", text, "toxicity_score", 1.0 + i % 5, "label", hate ? "hate" : "neutral",
                    "target_groups", List.of(group)));
        }
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, Json.MAPPER.writeValueAsString(rows));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}

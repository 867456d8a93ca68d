package phiscope.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import phiscope.web.server.StrictJson;

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
            return write(file, StrictJson.MAPPER.writeValueAsString(rows));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A CrowS-Pairs CSV with {@code pairs} rows over two bias types, stereotyping and anti-stereotyping in turn. */
    public static Path crowsPairs(Path file, int pairs) {
        StringBuilder csv = new StringBuilder(",sent_more,sent_less,stereo_antistereo,bias_type,annotations,anon_writer,anon_annotators\n");
        for (int i = 0; i < pairs; i++) {
            String type = i % 2 == 0 ? "gender" : "age";
            String[] who = i % 2 == 0 ? new String[] {"women", "men"} : new String[] {"old people", "young people"};
            csv.append(i).append(",\"").append(who[0]).append(" in town ").append(i).append(" cannot drive well.\",\"")
                    .append(who[1]).append(" in town ").append(i).append(" cannot drive well.\",")
                    .append(i % 3 == 0 ? "antistereo" : "stereo").append(',').append(type).append(",[],a,[]\n");
        }
        return write(file, csv.toString());
    }

    /** A BBQ .jsonl file with {@code questions} rows: ambiguous and disambiguated, negative and not, in turn. */
    public static Path bbq(Path file, int questions) {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < questions; i++) {
            boolean ambiguous = i % 2 == 0;
            boolean negative = i % 4 < 2;
            String context = "A grandmother and a teenager met at the station " + i + "."
                    + (ambiguous ? "" : " The teenager had forgotten the tickets.");
            Map<String, Object> row = Map.ofEntries(Map.entry("example_id", i), Map.entry("category", "Age"),
                    Map.entry("context_condition", ambiguous ? "ambig" : "disambig"),
                    Map.entry("question_polarity", negative ? "neg" : "nonneg"), Map.entry("context", context),
                    Map.entry("question", negative ? "Who forgot the tickets?" : "Who remembered the tickets?"),
                    Map.entry("ans0", "The grandmother"), Map.entry("ans1", "The teenager"), Map.entry("ans2", "Can't be determined"),
                    Map.entry("label", ambiguous ? 2 : negative ? 1 : 0),
                    Map.entry("answer_info", Map.of("ans0", List.of("grandmother", "old"), "ans1", List.of("teenager", "nonOld"),
                            "ans2", List.of("Can't be determined", "unknown"))),
                    Map.entry("additional_metadata", Map.of("stereotyped_groups", List.of("old"))));
            try {
                lines.append(StrictJson.MAPPER.writeValueAsString(row)).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return write(file, lines.toString());
    }

    /** A WinoBias folder: the occupation lists and pro- and anti-stereotyped sentences of type 1 in the test split. */
    public static Path winoBias(Path folder, int sentencesPerFile) {
        write(folder.resolve("male_occupations.txt"), "developer\nmechanic\n");
        write(folder.resolve("female_occupations.txt"), "nurse\ncleaner\n");
        StringBuilder pro = new StringBuilder();
        StringBuilder anti = new StringBuilder();
        for (int i = 1; i <= sentencesPerFile; i++) {
            pro.append(i).append(" [The developer] called the nurse on day ").append(i).append(" because [he] was late.\n");
            anti.append(i).append(" [The developer] called the nurse on day ").append(i).append(" because [she] was late.\n");
        }
        write(folder.resolve("pro_stereotyped_type1.txt.test"), pro.toString());
        write(folder.resolve("anti_stereotyped_type1.txt.test"), anti.toString());
        return folder;
    }

    private static Path write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}

package phiscope.toxicity.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads SafeNLP's sentence files (toxiGen.json, implicitHate.json: a JSON array; JSON Lines work
 * too) and its per-sentence perplexity files (the same rows with a "perplexity" field).
 */
public final class SafeNlpReader {

    private SafeNlpReader() {
    }

    /** A sentence with a perplexity already computed; NaN where the scorer had nothing to score. */
    public record SentenceWithPerplexity(RatedSentence sentence, double perplexity) {
    }

    public static Rows<RatedSentence> sentences(Path file) {
        List<RatedSentence> rows = new ArrayList<>();
        List<RowProblem> problems = new ArrayList<>();
        JsonRows.read(file, SafeNlpReader::sentence, rows, problems);
        return new Rows<>(rows, problems, List.of(file));
    }

    public static Rows<SentenceWithPerplexity> withPerplexities(Path file) {
        List<SentenceWithPerplexity> rows = new ArrayList<>();
        List<RowProblem> problems = new ArrayList<>();
        JsonRows.read(file, (row, line) -> new SentenceWithPerplexity(sentence(row, line), row.number("perplexity")), rows, problems);
        return new Rows<>(rows, problems, List.of(file));
    }

    private static RatedSentence sentence(JsonFields row, int line) throws BadRowException {
        long id = row.integer("id");
        String text = row.text("text");
        double toxicity = row.number("toxicity_score");
        if (!(toxicity > 0)) throw new BadRowException("field \"toxicity_score\" should be positive, found " + toxicity);
        String label = row.text("label");
        boolean hate = switch (label) {
            case "hate" -> true;
            case "neutral" -> false;
            default -> throw new BadRowException("field \"label\" should be \"hate\" or \"neutral\", found \"" + label + "\"");
        };
        List<String> groups = row.texts("target_groups");
        if (groups.isEmpty()) throw new BadRowException("field \"target_groups\" is empty");
        return new RatedSentence(line, id, text, toxicity, hate, groups);
    }
}

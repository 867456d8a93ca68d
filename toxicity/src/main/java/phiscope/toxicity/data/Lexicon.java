package phiscope.toxicity.data;

import java.nio.file.Path;
import java.util.List;

/** A word list (such as LDNOOBW): one word or phrase per line; blank lines are skipped. */
public record Lexicon(Path file, List<String> terms) {

    public Lexicon {
        terms = List.copyOf(terms);
    }

    public static Lexicon read(Path file) {
        List<String> terms = DatasetFiles.readText(file).lines().map(String::strip).filter(t -> !t.isEmpty()).toList();
        if (terms.isEmpty()) throw new DatasetException(file + " holds no words");
        return new Lexicon(file, terms);
    }
}

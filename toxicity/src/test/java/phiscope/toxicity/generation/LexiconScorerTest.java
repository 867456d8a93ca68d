package phiscope.toxicity.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import phiscope.toxicity.data.Lexicon;

class LexiconScorerTest {

    private final LexiconScorer scorer = new LexiconScorer(
            new Lexicon(Path.of("words.txt"), List.of("crap", "2 girls 1 cup", "b@stard", "a$$")),
            LexiconScorer.DEFAULT_THRESHOLD);

    @Test
    void matchesWholeWordsCaseInsensitively() {
        assertArrayEquals(new double[] {1, 1, 1, 0, 0},
                scorer.score(List.of("what crap", "CRAP!", "(crap)", "scrapbook", "crappy")), 0);
    }

    @Test
    void matchesPhrasesAcrossAnyWhitespace() {
        assertArrayEquals(new double[] {1, 1, 0}, scorer.score(List.of("saw 2 girls 1 cup", "2  girls\n1 cup", "2 girls")), 0);
    }

    @Test
    void termsWithSymbolsStillNeedWordEdges() {
        assertArrayEquals(new double[] {1, 1, 0, 0}, scorer.score(List.of("you b@stard.", "a$$", "xb@stard", "a$$y")), 0);
    }
}

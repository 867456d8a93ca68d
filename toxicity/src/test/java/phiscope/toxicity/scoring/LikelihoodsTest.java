package phiscope.toxicity.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import phiscope.toxicity.FakeModel;

class LikelihoodsTest {

    /** Records what each scored token was conditioned on. */
    private final List<String> seen = new ArrayList<>();
    private final FakeModel model = new FakeModel((before, token) -> {
        seen.add(String.join("", before) + "|" + token);
        return -token.strip().length();
    });

    @Test
    void perplexityHasNoBosAndSkipsTheFirstToken() {
        double[] ppl = Likelihoods.perplexities(model, List.of("ab cde f", "single", ""));
        // " cde" (-3) and " f" (-1) are scored, "ab" is not: exp(-(-4 / 2)).
        assertEquals(Math.exp(2), ppl[0], 1e-12);
        assertEquals(List.of("ab| cde", "ab cde| f"), seen);
        assertTrue(Double.isNaN(ppl[1]), "one token leaves nothing to score");
        assertTrue(Double.isNaN(ppl[2]));
        assertEquals(1, model.sequencesScored());
    }

    @Test
    void sentencesAreScoredWholeAfterEndOfText() {
        double[] ll = Likelihoods.sentenceLogLikelihoods(model, List.of("ab cde", "x"));
        assertEquals(-5.0, ll[0], 0);
        assertEquals(-1.0, ll[1], 0);
        assertEquals(List.of("<|endoftext|>|ab", "<|endoftext|>ab| cde", "<|endoftext|>|x"), seen);
    }

    @Test
    void onlyTheContinuationCounts() {
        double[] ll = Likelihoods.continuationLogLikelihoods(model, List.of(
                new Likelihoods.Continuation("Q: who? A:", " the nurse"),
                new Likelihoods.Continuation("", "hello")));
        assertEquals(-3 - 5, ll[0], 0);
        assertEquals(-5, ll[1], 0);
        assertEquals("Q: who? A:| the", seen.get(2));
        assertEquals("<|endoftext|>|hello", seen.get(4));
        assertEquals(2, model.sequencesScored(), "one batch for all items");
    }
}

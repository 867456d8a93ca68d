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

    @Test
    void lmEvalMovesTheContextsTrailingSpaceIntoTheContinuation() {
        List<Likelihoods.Scored> scored = Likelihoods.lmEvalLogLikelihoods(model, List.of(
                new Likelihoods.Continuation("Answer: ", "yes"),
                new Likelihoods.Continuation("Answer:", " yes")));
        assertEquals(scored.get(0), scored.get(1));
        assertEquals(new Likelihoods.Scored(-3, false, 1, 2, false), scored.get(0));
        assertEquals(List.of("Answer:| yes", "Answer:| yes"), seen);
    }

    /**
     * lm-eval's continuation tokens are those of the whole text after as many tokens as the
     * context alone has, even where the tokenizer merges across the boundary: here "ab" + "c d"
     * is "abc d", so only " d" is the continuation, scored after the context's own token "ab".
     */
    @Test
    void lmEvalTakesTheContinuationTokensFromTheWholeText() {
        List<Likelihoods.Scored> scored = Likelihoods.lmEvalLogLikelihoods(model, List.of(
                new Likelihoods.Continuation("ab", "c d"),
                new Likelihoods.Continuation("", "hi there")));
        assertEquals(new Likelihoods.Scored(-1, false, 1, 2, false), scored.get(0));
        assertEquals(new Likelihoods.Scored(-2 - 5, false, 2, 3, false), scored.get(1));
        assertEquals(List.of("ab| d", "<|endoftext|>|hi", "<|endoftext|>hi| there"), seen);
    }

    @Test
    void lmEvalGreedyMeansEveryContinuationTokenIsTheArgmax() {
        FakeModel confident = new FakeModel((before, token) -> token.strip().startsWith("x") ? -0.1 : -2);
        List<Likelihoods.Scored> scored = Likelihoods.lmEvalLogLikelihoods(confident, List.of(
                new Likelihoods.Continuation("a", " xa xb"),
                new Likelihoods.Continuation("a", " xa b")));
        assertTrue(scored.get(0).greedy());
        assertTrue(!scored.get(1).greedy());
    }

    @Test
    void lmEvalCutsTheStartOfAContextThatDoesNotFit() {
        String context = "w".repeat(3) + " w".repeat(FakeModel.CONTEXT_LENGTH + 10);
        Likelihoods.Scored scored = Likelihoods.lmEvalLogLikelihoods(model, List.of(new Likelihoods.Continuation(context, " end"))).getFirst();
        assertTrue(scored.truncated());
        assertEquals(-3, scored.logLikelihood(), 0);
        assertEquals(1, scored.tokens());
    }
}

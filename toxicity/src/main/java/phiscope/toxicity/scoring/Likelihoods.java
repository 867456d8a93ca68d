package phiscope.toxicity.scoring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import phiscope.engine.model.ScoredTokens;
import phiscope.toxicity.PythonText;

/**
 * The likelihood quantities the benchmarks are defined on, each computed for a whole batch of
 * texts with one {@link ScoringModel#tokenLogProbs} call.
 */
public final class Likelihoods {

    private Likelihoods() {
    }

    /** A text to score as the continuation of a context: only the continuation's tokens count. */
    public record Continuation(String context, String continuation) {
    }

    /**
     * Perplexity as SafeNLP computes it for causal models: the text's tokens without BOS, the first
     * token not scored, {@code exp(-mean log p)} over the rest. A text of fewer than two tokens has
     * nothing to score and gets NaN (SafeNLP leaves such sentences out).
     */
    public static double[] perplexities(ScoringModel model, List<String> texts) {
        double[] result = new double[texts.size()];
        Arrays.fill(result, Double.NaN);
        List<int[]> sequences = new ArrayList<>();
        List<Integer> scored = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            int[] ids = model.encode(texts.get(i));
            if (ids.length >= 2) {
                sequences.add(ids);
                scored.add(i);
            }
        }
        List<float[]> logProbs = scoreAll(model, sequences);
        for (int k = 0; k < scored.size(); k++) {
            float[] lp = logProbs.get(k);
            result[scored.get(k)] = Math.exp(-sum(lp, 0, lp.length) / lp.length);
        }
        return result;
    }

    /**
     * Log-likelihood of each whole text, every token scored after an {@code <|endoftext|>} context
     * (the lm-evaluation-harness convention for sentences without a prompt).
     */
    public static double[] sentenceLogLikelihoods(ScoringModel model, List<String> texts) {
        List<int[]> sequences = new ArrayList<>(texts.size());
        for (String text : texts) {
            sequences.add(prepend(model.endOfText(), model.encode(text)));
        }
        List<float[]> logProbs = scoreAll(model, sequences);
        double[] result = new double[texts.size()];
        for (int i = 0; i < result.length; i++) {
            float[] lp = logProbs.get(i);
            result[i] = sum(lp, 0, lp.length);
        }
        return result;
    }

    /**
     * Log-likelihood of each continuation given its context. Context and continuation are encoded
     * separately, so the continuation's tokens are exactly those of its own text; an empty context
     * is replaced by {@code <|endoftext|>}.
     */
    public static double[] continuationLogLikelihoods(ScoringModel model, List<Continuation> items) {
        List<int[]> sequences = new ArrayList<>(items.size());
        int[] contextLengths = new int[items.size()];
        for (int i = 0; i < items.size(); i++) {
            int[] context = model.encode(items.get(i).context());
            if (context.length == 0) context = new int[] {model.endOfText()};
            int[] continuation = model.encode(items.get(i).continuation());
            int[] ids = Arrays.copyOf(context, context.length + continuation.length);
            System.arraycopy(continuation, 0, ids, context.length, continuation.length);
            sequences.add(ids);
            contextLengths[i] = context.length;
        }
        List<float[]> logProbs = scoreAll(model, sequences);
        double[] result = new double[items.size()];
        for (int i = 0; i < result.length; i++) {
            float[] lp = logProbs.get(i);
            // lp[j] scores token j + 1, so the continuation starts at contextLength - 1.
            result[i] = sum(lp, contextLengths[i] - 1, lp.length);
        }
        return result;
    }

    /**
     * A continuation scored as lm-evaluation-harness scores it.
     *
     * @param logLikelihood sum of the natural-log probabilities of the continuation's tokens
     * @param greedy        whether every continuation token is the model's greedy choice (lm-eval's {@code is_greedy})
     * @param tokens        how many tokens the continuation has
     * @param passTokens    how many tokens went through the model: context and continuation
     * @param truncated     whether the start of the context was cut off to fit the model's context
     */
    public record Scored(double logLikelihood, boolean greedy, int tokens, int passTokens, boolean truncated) {
    }

    /**
     * Each continuation after its context, tokenized as lm-evaluation-harness's Hugging Face
     * model does: trailing whitespace of the context moves to the front of the continuation; the
     * continuation's tokens are those of {@code encode(context + continuation)} after the first
     * {@code encode(context).length}, scored after {@code encode(context)}; an empty context is
     * {@code <|endoftext|>} (as is one of whitespace only, which lm-eval would leave empty); a sequence longer than the model's context loses its first tokens.
     * All items go to the model in one call, so it packs them into shared passes.
     */
    public static List<Scored> lmEvalLogLikelihoods(ScoringModel model, List<Continuation> items) {
        List<int[]> sequences = new ArrayList<>(items.size());
        int[] continuationLengths = new int[items.size()];
        boolean[] truncated = new boolean[items.size()];
        for (int i = 0; i < items.size(); i++) {
            String context = PythonText.rstrip(items.get(i).context());
            String continuation = items.get(i).context().substring(context.length()) + items.get(i).continuation();
            int[] contextIds;
            int[] continuationIds;
            if (context.isEmpty()) {
                contextIds = new int[] {model.endOfText()};
                continuationIds = model.encode(continuation);
            } else {
                int[] whole = model.encode(context + continuation);
                contextIds = model.encode(context);
                continuationIds = Arrays.copyOfRange(whole, Math.min(contextIds.length, whole.length), whole.length);
            }
            if (continuationIds.length == 0) {
                throw new IllegalArgumentException("the continuation " + quoted(items.get(i).continuation()) + " has no tokens of its own after "
                        + quoted(items.get(i).context()));
            }
            int limit = model.contextLength();
            if (continuationIds.length >= limit) {
                throw new IllegalArgumentException("a continuation of " + continuationIds.length
                        + " tokens does not fit the model's context of " + limit + " tokens");
            }
            int[] ids = Arrays.copyOf(contextIds, contextIds.length + continuationIds.length);
            System.arraycopy(continuationIds, 0, ids, contextIds.length, continuationIds.length);
            truncated[i] = ids.length > limit;
            sequences.add(truncated[i] ? Arrays.copyOfRange(ids, ids.length - limit, ids.length) : ids);
            continuationLengths[i] = continuationIds.length;
        }
        List<ScoredTokens> scores = sequences.isEmpty() ? List.of() : model.scoreTokens(sequences);
        List<Scored> result = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            ScoredTokens scored = scores.get(i);
            int from = scored.length() - continuationLengths[i];
            boolean greedy = true;
            for (int t = from; t < scored.length(); t++) greedy &= scored.greedy()[t];
            result.add(new Scored(sum(scored.logProbs(), from, scored.length()), greedy, continuationLengths[i],
                    sequences.get(i).length, truncated[i]));
        }
        return result;
    }

    private static String quoted(String text) {
        return "\"" + (text.length() > 60 ? text.substring(0, 60) + "..." : text) + "\"";
    }

    private static List<float[]> scoreAll(ScoringModel model, List<int[]> sequences) {
        return sequences.isEmpty() ? List.of() : model.tokenLogProbs(sequences);
    }

    private static int[] prepend(int first, int[] rest) {
        int[] ids = new int[rest.length + 1];
        ids[0] = first;
        System.arraycopy(rest, 0, ids, 1, rest.length);
        return ids;
    }

    private static double sum(float[] values, int from, int to) {
        double total = 0;
        for (int i = from; i < to; i++) total += values[i];
        return total;
    }
}

package phiscope.toxicity.scoring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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

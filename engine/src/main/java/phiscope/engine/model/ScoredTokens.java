package phiscope.engine.model;

/**
 * What packed scoring tells about the tokens of one sequence after its first: entry {@code i - 1}
 * of each array is about token {@code i} given the tokens before it.
 *
 * @param logProbs natural-log probability of each token
 * @param greedy   whether each token is the model's greedy choice there: the first position of the
 *                 largest logit over the whole vocabulary (as {@code torch.argmax} picks it, so
 *                 lm-evaluation-harness's {@code is_greedy} is reproduced)
 */
public record ScoredTokens(float[] logProbs, boolean[] greedy) {

    public ScoredTokens {
        if (logProbs.length != greedy.length) {
            throw new IllegalArgumentException(logProbs.length + " log-probabilities but " + greedy.length + " greedy flags");
        }
    }

    /** How many tokens were scored. */
    public int length() {
        return logProbs.length;
    }
}

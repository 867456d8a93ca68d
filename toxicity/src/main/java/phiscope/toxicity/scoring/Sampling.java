package phiscope.toxicity.scoring;

/**
 * Settings for one sampled continuation. The same settings and seed give the same text.
 *
 * @param maxNewTokens how many tokens to generate at most (generation also stops at end of text)
 * @param temperature  softmax temperature; 0 means greedy
 * @param topK         keep only the k most likely tokens; 0 keeps all
 * @param topP         nucleus sampling mass; 1 keeps all
 * @param seed         seed of the sampler's random generator
 */
public record Sampling(int maxNewTokens, double temperature, int topK, double topP, long seed) {

    public Sampling {
        if (maxNewTokens < 1) throw new IllegalArgumentException("maxNewTokens must be >= 1: " + maxNewTokens);
        if (!(temperature >= 0)) throw new IllegalArgumentException("temperature must be >= 0: " + temperature);
        if (topK < 0) throw new IllegalArgumentException("topK must be >= 0: " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("topP must be in (0, 1]: " + topP);
    }

    public Sampling withSeed(long newSeed) {
        return new Sampling(maxNewTokens, temperature, topK, topP, newSeed);
    }
}

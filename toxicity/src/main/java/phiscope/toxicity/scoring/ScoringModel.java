package phiscope.toxicity.scoring;

import java.util.List;
import phiscope.probes.Pooling;

/**
 * What the audits need from a language model: a tokenizer, next-token log-probabilities and
 * sampling. The engine implements it for Phi-2; tests implement it with small fakes.
 */
public interface ScoringModel {

    /**
     * Identifies the model, its weights and every setting that changes its numbers (dtype,
     * quantisation, ...). Recorded in run manifests; a run folder is only resumed by a model
     * with the same id.
     */
    String id();

    /** Token ids of {@code text}, without any BOS token. */
    int[] encode(String text);

    /** The text of {@code ids}. */
    String decode(int[] ids);

    /** The id of {@code <|endoftext|>} (50256 for Phi-2), used as a start-of-text context. */
    int endOfText();

    /**
     * Scores whole sequences. For a sequence of n ids the result has n - 1 entries: entry
     * {@code i - 1} is the natural-log probability of {@code ids[i]} given {@code ids[0..i-1]}
     * (the first token has no context and is not scored). Hand over many sequences at once: the
     * engine packs them into one forward pass.
     *
     * @return one array per sequence, in order
     */
    List<float[]> tokenLogProbs(List<int[]> sequences);

    /**
     * One pooled activation vector per text at a per-token hook point (e.g.
     * {@code blocks.20.hook_resid_post}), for probe-based scoring.
     */
    List<float[]> activations(List<String> texts, String hook, Pooling pooling);

    /** Samples a continuation of {@code prompt}; returns the new text only, not the prompt. */
    String generate(String prompt, Sampling sampling);
}

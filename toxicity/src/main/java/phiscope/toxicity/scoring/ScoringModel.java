package phiscope.toxicity.scoring;

import java.util.List;
import java.util.Optional;
import phiscope.engine.model.ScoredTokens;
import phiscope.probes.Pooling;
import phiscope.probes.intervention.InterventionStamp;

/**
 * What the audits need from a language model: a tokenizer, next-token log-probabilities and
 * sampling. The engine implements it for Phi-2; tests implement it with small fakes.
 */
public interface ScoringModel {

    /**
     * Identifies the model, its weights and every setting that changes its numbers (dtype,
     * quantisation, ...) but an intervention, which {@link #intervention} names. Recorded in run
     * manifests; a run folder is only resumed by a model with the same id and intervention.
     */
    String id();

    /** The saved intervention the model runs with, if it is edited. */
    default Optional<InterventionStamp> intervention() {
        return Optional.empty();
    }

    /** Token ids of {@code text}, without any BOS token. */
    int[] encode(String text);

    /** The text of {@code ids}. */
    String decode(int[] ids);

    /** The id of {@code <|endoftext|>} (50256 for Phi-2), used as a start-of-text context. */
    int endOfText();

    /** The longest sequence {@link #scoreTokens} takes, in tokens (Phi-2: 2048). */
    int contextLength();

    /**
     * Scores whole sequences. For a sequence of n ids the result has n - 1 entries: entry
     * {@code i - 1} is about {@code ids[i]} given {@code ids[0..i-1]} (the first token has no
     * context and is not scored): its natural-log probability, and whether it is the model's
     * greedy choice. Hand over many sequences at once: the engine packs them into one forward pass.
     *
     * @return one result per sequence, in order
     */
    List<ScoredTokens> scoreTokens(List<int[]> sequences);

    /** The log-probabilities of {@link #scoreTokens}, one array per sequence. */
    default List<float[]> tokenLogProbs(List<int[]> sequences) {
        return scoreTokens(sequences).stream().map(ScoredTokens::logProbs).toList();
    }

    /**
     * One pooled activation vector per text at a per-token hook point (e.g.
     * {@code blocks.20.hook_resid_post}), for probe-based scoring.
     */
    List<float[]> activations(List<String> texts, String hook, Pooling pooling);

    /** Samples a continuation of {@code prompt}; returns the new text only, not the prompt. */
    String generate(String prompt, Sampling sampling);
}

package phiscope.engine.model;

import java.util.ArrayList;
import java.util.List;
import phiscope.engine.tensor.Ops;

/**
 * Log-likelihoods of many short texts, the audits' workload: the texts are packed into shared
 * forward passes, each attending only within itself, so one decode of each weight panel serves
 * them all, and a text's numbers do not depend on what it was packed with.
 */
final class PackedScoring {

    private final PhiModel model;

    PackedScoring(PhiModel model) {
        this.model = model;
    }

    /** {@link PhiModel#scoreTokens(List, int)}. */
    List<ScoredTokens> scoreTokens(List<int[]> sequences, int packTokens) {
        List<ScoredTokens> results = new ArrayList<>(sequences.size());
        int i = 0;
        while (i < sequences.size()) {
            int total = 0;
            int end = i;
            while (end < sequences.size() && (end == i || total + sequences.get(end).length <= packTokens)) {
                total += sequences.get(end).length;
                end++;
            }
            results.addAll(scorePack(sequences.subList(i, end), total));
            i = end;
        }
        return results;
    }

    private List<ScoredTokens> scorePack(List<int[]> pack, int total) {
        int[] tokens = new int[total];
        int[] positions = new int[total];
        int[] keyStarts = new int[total];
        int row = 0;
        for (int[] sequence : pack) {
            model.requireFitsContext(sequence.length);
            for (int p = 0; p < sequence.length; p++, row++) {
                tokens[row] = sequence[p];
                positions[row] = p;
                keyStarts[row] = row - p;
            }
        }
        try (KVCache cache = KVCache.forOnePass(model.config(), total)) {
            float[] normalized = model.finalNormalized(tokens, positions, keyStarts, cache);
            return scoresOfNext(normalized, pack);
        }
    }

    /** Unembeds the final-normalized rows of each text, keeping only log p(next token) and whether it is the argmax. */
    private List<ScoredTokens> scoresOfNext(float[] normalized, List<int[]> pack) {
        int d = model.config().hiddenSize();
        int vocab = model.config().vocabSize();
        List<ScoredTokens> results = new ArrayList<>(pack.size());
        int first = 0;
        for (int[] sequence : pack) {
            float[] logProbs = new float[Math.max(0, sequence.length - 1)];
            boolean[] greedy = new boolean[logProbs.length];
            // The last row predicts past the text: it is not unembedded.
            model.unembed(normalized, first * d, logProbs.length, (r, logits, offset) -> {
                int next = sequence[r + 1];
                logProbs[r] = logits[offset + next] - Ops.logSumExp(logits, offset, vocab);
                greedy[r] = Sampler.argmax(logits, offset, offset + vocab) == next;
            });
            results.add(new ScoredTokens(logProbs, greedy));
            first += sequence.length;
        }
        return results;
    }
}

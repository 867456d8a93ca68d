package phiscope.probes.heads;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.model.PhiModel;
import phiscope.engine.tensor.Ops;
import phiscope.probes.Progress;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/**
 * The classic induction test: sequences of random tokens repeated twice, {@code [bos] r r}, and
 * for every head the mean attention to
 * <ul>
 *   <li>the previous token (previous-token score, over every query after the first),</li>
 *   <li>the same token's earlier copy (duplicate-token score, queries in the second copy), and</li>
 *   <li>the token after the earlier copy (induction score, queries in the second copy).</li>
 * </ul>
 * The per-token loss on the first and second copy tells whether the model uses the repetition.
 */
public final class HeadDetector {

    /** One head's scores, each a mean attention probability in [0, 1]. */
    public record HeadScore(int layer, int head, double previousToken, double duplicateToken, double induction) {
    }

    /** Scores of every head; losses are mean negative log-likelihoods (nats) per predicted token. */
    public record Result(List<HeadScore> heads, double firstCopyLoss, double secondCopyLoss, int sequenceLength, int batches) {

        public Table table() {
            Table table = Table.create("head detectors (" + batches + " x [bos + 2 x " + sequenceLength + " random tokens])",
                    IntColumn.create("layer"), IntColumn.create("head"), DoubleColumn.create("previous_token"),
                    DoubleColumn.create("duplicate_token"), DoubleColumn.create("induction"));
            for (HeadScore h : heads) {
                table.intColumn("layer").append(h.layer());
                table.intColumn("head").append(h.head());
                table.doubleColumn("previous_token").append(round(h.previousToken()));
                table.doubleColumn("duplicate_token").append(round(h.duplicateToken()));
                table.doubleColumn("induction").append(round(h.induction()));
            }
            return table;
        }

        /** The heads ordered by a score, highest first. */
        public List<HeadScore> top(Comparator<HeadScore> by, int count) {
            return heads.stream().sorted(by.reversed()).limit(count).toList();
        }

        private static double round(double v) {
            return Math.round(v * 10000) / 10000.0;
        }
    }

    /** The three scores of every head from one pattern tensor {@code [H, T, T]} of a {@code [bos] r r} sequence. */
    public static double[][] scorePattern(float[] pattern, int heads, int sequenceLength, boolean bos) {
        int offset = bos ? 1 : 0;
        int t = offset + 2 * sequenceLength;
        double[][] scores = new double[heads][3];
        for (int h = 0; h < heads; h++) {
            double previous = 0;
            for (int q = 1; q < t; q++) {
                previous += pattern[(h * t + q) * t + q - 1];
            }
            double duplicate = 0;
            double induction = 0;
            for (int q = offset + sequenceLength; q < t; q++) {
                duplicate += pattern[(h * t + q) * t + q - sequenceLength];
                induction += pattern[(h * t + q) * t + q - sequenceLength + 1];
            }
            scores[h][0] = previous / (t - 1);
            scores[h][1] = duplicate / sequenceLength;
            scores[h][2] = induction / sequenceLength;
        }
        return scores;
    }

    private HeadDetector() {
    }

    /** Every id below {@code limit}: the classic test draws from the whole vocabulary. */
    public static int[] vocabulary(int limit) {
        return IntStream.range(0, limit).toArray();
    }

    /** The distinct ids of a token sequence: random tokens the model has seen in use (a small model knows few of its 50k). */
    public static int[] distinct(int[] ids) {
        return Arrays.stream(ids).distinct().sorted().toArray();
    }

    /**
     * @param tokenPool random tokens are drawn uniformly from these ids (see {@link #vocabulary} and {@link #distinct})
     * @param bos the token put first (as TransformerLens prepends BOS), or -1 for none
     * @param baseHooks makes the hooks of each run (for example with an ablation); the detector adds its observers
     */
    public static Result run(PhiModel model, int[] tokenPool, int sequenceLength, int batches, long seed, int bos,
                             Supplier<Hooks> baseHooks, Progress progress) {
        int layers = model.config().numLayers();
        int heads = model.config().numHeads();
        if (sequenceLength < 2 || batches < 1) {
            throw new IllegalArgumentException("the induction test needs sequences of at least 2 tokens and at least 1 batch");
        }
        if (tokenPool.length < 2) {
            throw new IllegalArgumentException("the random tokens need a pool of at least 2 ids, not " + tokenPool.length);
        }
        int offset = bos >= 0 ? 1 : 0;
        if (offset + 2 * sequenceLength > model.config().maxPositions()) {
            throw new IllegalArgumentException("2 x " + sequenceLength + " tokens do not fit the model's context of "
                    + model.config().maxPositions());
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[][][] sums = new double[layers][heads][3];
        double firstLoss = 0;
        double secondLoss = 0;
        for (int batch = 0; batch < batches; batch++) {
            int[] tokens = new int[offset + 2 * sequenceLength];
            if (bos >= 0) {
                tokens[0] = bos;
            }
            for (int i = 0; i < sequenceLength; i++) {
                tokens[offset + i] = tokenPool[random.nextInt(tokenPool.length)];
                tokens[offset + sequenceLength + i] = tokens[offset + i];
            }
            Hooks hooks = baseHooks.get();
            float[][] patterns = new float[layers][];
            for (int layer = 0; layer < layers; layer++) {
                int l = layer;
                hooks.observe(HookPoint.inBlock(layer, HookSite.PATTERN), a -> patterns[l] = a.copy());
            }
            float[] logits = model.forward(tokens, hooks, PhiModel.Logits.ALL);
            for (int layer = 0; layer < layers; layer++) {
                double[][] s = scorePattern(patterns[layer], heads, sequenceLength, bos >= 0);
                for (int h = 0; h < heads; h++) {
                    for (int k = 0; k < 3; k++) {
                        sums[layer][h][k] += s[h][k];
                    }
                }
            }
            // Loss of predicting tokens 2..n of the first copy, and of the second copy after its first token.
            int vocab = model.config().vocabSize();
            for (int i = 1; i < sequenceLength; i++) {
                firstLoss += nll(logits, vocab, offset + i - 1, tokens[offset + i]);
                secondLoss += nll(logits, vocab, offset + sequenceLength + i - 1, tokens[offset + sequenceLength + i]);
            }
            progress.advance("batch " + (batch + 1), batch + 1, batches);
        }
        List<HeadScore> scores = new ArrayList<>();
        for (int layer = 0; layer < layers; layer++) {
            for (int h = 0; h < heads; h++) {
                scores.add(new HeadScore(layer, h, sums[layer][h][0] / batches, sums[layer][h][1] / batches,
                        sums[layer][h][2] / batches));
            }
        }
        int predicted = batches * (sequenceLength - 1);
        return new Result(scores, firstLoss / predicted, secondLoss / predicted, sequenceLength, batches);
    }

    private static double nll(float[] logits, int vocab, int row, int target) {
        return Ops.logSumExp(logits, row * vocab, vocab) - logits[row * vocab + target];
    }
}

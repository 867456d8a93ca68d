package phiscope.probes.lens;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.model.PhiConfig;
import phiscope.engine.model.PhiModel;
import phiscope.engine.tensor.Ops;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The logit lens: decode the residual stream after the embedding and after every block as if it
 * were the last, {@code unembed(ln_final(resid))}, with the final LayerNorm's own statistics per
 * position. After the last block this is exactly the model's output.
 */
public final class LogitLens {

    /** A predicted token with its probability. */
    public record Prediction(int id, String text, double probability) {
    }

    /**
     * One stage x position: {@code stage} is "embed" or "blocks.L" (after block L); the target
     * rank is 1-based (-1 and NaN when no target was given).
     */
    public record Cell(String stage, int position, String input, List<Prediction> top, int targetRank, double targetProbability) {
    }

    /** Every cell, stage by stage; {@code target} is the tracked token id or -1. */
    public record Result(List<Cell> cells, int target, String targetText) {

        public Table table() {
            Table table = Table.create("logit lens" + (target >= 0 ? " (target " + quoted(targetText) + ")" : ""),
                    StringColumn.create("stage"), IntColumn.create("position"), StringColumn.create("input"),
                    StringColumn.create("top1"), DoubleColumn.create("p1"), StringColumn.create("top_k"),
                    IntColumn.create("target_rank"), DoubleColumn.create("target_p"));
            for (Cell cell : cells) {
                table.stringColumn("stage").append(cell.stage());
                table.intColumn("position").append(cell.position());
                table.stringColumn("input").append(quoted(cell.input()));
                table.stringColumn("top1").append(quoted(cell.top().getFirst().text()));
                table.doubleColumn("p1").append(round(cell.top().getFirst().probability()));
                table.stringColumn("top_k").append(String.join(" ", cell.top().stream()
                        .map(p -> quoted(p.text()) + String.format(Locale.ROOT, ":%.3f", p.probability())).toList()));
                table.intColumn("target_rank").append(cell.targetRank());
                table.doubleColumn("target_p").append(Double.isNaN(cell.targetProbability()) ? Double.NaN : round(cell.targetProbability()));
            }
            return table;
        }

        /** Top-1 tokens as a grid: one row per stage, one column per position. */
        public Table grid() {
            List<String> stages = cells.stream().map(Cell::stage).distinct().toList();
            List<Integer> positions = cells.stream().map(Cell::position).distinct().toList();
            Table grid = Table.create("logit lens top-1", StringColumn.create("stage", stages));
            for (int position : positions) {
                String input = cells.stream().filter(c -> c.position() == position).findFirst().orElseThrow().input();
                StringColumn column = StringColumn.create(position + ":" + quoted(input));
                for (String stage : stages) {
                    cells.stream().filter(c -> c.stage().equals(stage) && c.position() == position).findFirst()
                            .ifPresent(c -> column.append(quoted(c.top().getFirst().text())));
                }
                grid.addColumns(column);
            }
            return grid;
        }
    }

    private LogitLens() {
    }

    /** The residual streams the lens decodes, stage by stage: the embedding (the input of block 0), then each block's output. */
    public static List<HookPoint> streams(PhiConfig config) {
        List<HookPoint> points = new ArrayList<>(List.of(HookPoint.inBlock(0, HookSite.RESID_PRE)));
        for (int b = 0; b < config.numLayers(); b++) {
            points.add(HookPoint.inBlock(b, HookSite.RESID_POST));
        }
        return points;
    }

    /**
     * Runs the model on {@code tokens} and decodes its residual streams (see {@link #decode}).
     *
     * @param positions which positions to decode (0-based)
     * @param vocabularyLimit top-k lists only ids below it (never embedding padding)
     * @param target the token id to track, or -1
     */
    public static Result run(PhiModel model, int[] tokens, int[] positions, int topK, int vocabularyLimit, int target,
                             IntFunction<String> tokenText) {
        List<HookPoint> points = streams(model.config());
        Hooks hooks = model.newHooks();
        ActivationCache cache = ActivationCache.capture(hooks, points.stream().map(HookPoint::name).toArray(String[]::new));
        model.forward(tokens, hooks, PhiModel.Logits.NONE);
        List<float[]> streams = points.stream().map(point -> cache.get(point.name()).data()).toList();
        return decode(model, tokens, streams, positions, topK, vocabularyLimit, target, tokenText);
    }

    /**
     * The lens on residual streams already captured: {@code streams} holds the {@code [T, D]}
     * activations at {@link #streams} of the model's pass over {@code tokens}, in that order.
     */
    public static Result decode(PhiModel model, int[] tokens, List<float[]> streams, int[] positions, int topK,
                                int vocabularyLimit, int target, IntFunction<String> tokenText) {
        PhiConfig c = model.config();
        if (topK < 1) {
            throw new IllegalArgumentException("top-k must be at least 1, not " + topK);
        }
        if (target >= c.vocabSize()) {
            throw new IllegalArgumentException("target token " + target + " is outside the vocabulary (0.." + (c.vocabSize() - 1) + ")");
        }
        int d = c.hiddenSize();
        if (streams.size() != c.numLayers() + 1 || streams.stream().anyMatch(s -> s.length != tokens.length * d)) {
            throw new IllegalArgumentException("the lens reads " + (c.numLayers() + 1) + " residual streams of [" + tokens.length
                    + ", " + d + "] (the embedding, then every block's output)");
        }
        for (int position : positions) {
            if (position < 0 || position >= tokens.length) {
                throw new IllegalArgumentException("position " + position + " is out of range for " + tokens.length + " tokens");
            }
        }
        List<Cell> cells = new ArrayList<>();
        float[] rows = new float[positions.length * d];
        float[] normalized = new float[positions.length * d];
        for (int s = 0; s < streams.size(); s++) {
            String stage = s == 0 ? "embed" : "blocks." + (s - 1);
            for (int r = 0; r < positions.length; r++) {
                System.arraycopy(streams.get(s), positions[r] * d, rows, r * d, d);
            }
            model.weights().finalNorm().apply(rows, positions.length, normalized);
            model.unembed(normalized, 0, positions.length, (r, logits, offset) -> {
                int position = positions[r];
                cells.add(cell(stage, position, tokenText.apply(tokens[position]), logits, offset, c.vocabSize(), topK,
                        vocabularyLimit, target, tokenText));
            });
        }
        return new Result(cells, target, target >= 0 ? tokenText.apply(target) : "");
    }

    /** One cell from the logits at {@code base} (a row of {@code vocab}). */
    private static Cell cell(String stage, int position, String input, float[] logits, int base, int vocab, int topK, int limit,
                             int target, IntFunction<String> tokenText) {
        float logSumExp = Ops.logSumExp(logits, base, vocab);
        int k = Math.min(topK, limit);
        // The k best ids by insertion into a short sorted list: one pass over the vocabulary.
        int[] best = new int[k];
        int kept = 0;
        for (int id = 0; id < limit; id++) {
            if (kept == k && logits[base + id] <= logits[base + best[k - 1]]) {
                continue;
            }
            int at = kept < k ? kept++ : k - 1;
            while (at > 0 && logits[base + best[at - 1]] < logits[base + id]) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = id;
        }
        List<Prediction> top = new ArrayList<>();
        for (int id : best) {
            top.add(new Prediction(id, tokenText.apply(id), Math.exp(logits[base + id] - logSumExp)));
        }
        int rank = -1;
        double probability = Double.NaN;
        if (target >= 0) {
            rank = 1;
            for (int i = 0; i < limit; i++) {
                if (logits[base + i] > logits[base + target]) {
                    rank++;
                }
            }
            probability = Math.exp(logits[base + target] - logSumExp);
        }
        return new Cell(stage, position, input, top, rank, probability);
    }

    static String quoted(String token) {
        return "'" + token.replace("\n", "\\n").replace("\t", "\\t") + "'";
    }

    private static double round(double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}

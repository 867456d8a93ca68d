package phiscope.web.explore;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import phiscope.engine.Phi;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.HookPoint;
import phiscope.probes.lens.DirectLogitAttribution;
import phiscope.probes.lens.LogitLens;
import phiscope.web.server.Job;

/**
 * What the residual stream says about the next token along the way: the logit lens over a window
 * of positions (from the prompt's kept activations), and the direct logit attribution of two
 * tokens at one position to every head and MLP (its own guarded pass). The math is the probes
 * module's; this arranges it as grids for the views.
 */
final class LensAnalysis {

    /** Positions one lens request may decode: every stage of each costs an unembedding. */
    static final int MAX_POSITIONS = 64;

    record TokenRef(int id, String text) {
    }

    /** One stage at one position: the top tokens and, with a target, its rank (1 = top) and probability. */
    record LensCell(List<LogitLens.Prediction> top, Integer targetRank, Double targetProbability) {
    }

    /** {@code cells[s][i]} is stage {@code stages[s]} at position {@code first + i}. */
    record Lens(List<String> stages, int first, int last, int tokens, TokenRef target, LensCell[][] cells) {
    }

    /**
     * logit(token) - logit(versus) at {@code position}, split into the embedding, every head
     * ({@code heads[layer][head]}), every block's attention bias and MLP, and the constant of the
     * biases; {@code total} is their sum, which equals {@code modelLogitDifference}.
     */
    record Attribution(int position, TokenRef token, TokenRef versus, double modelLogitDifference, double total, double embed,
                       double[][] heads, double[] attentionBias, double[] mlp, double constant) {
    }

    private final Phi phi;
    private final ActivationStore store;

    LensAnalysis(Phi phi, ActivationStore store) {
        this.phi = phi;
        this.store = store;
    }

    Lens lens(Job job, int[] ids, int first, int last, int topK, Integer target) {
        List<HookPoint> points = LogitLens.streams(phi.config());
        Map<HookPoint, ActivationCache.Entry> captured = store.capture(job, ids, points);
        List<float[]> streams = points.stream().map(point -> captured.get(point).data()).toList();
        int[] positions = IntStream.rangeClosed(first, last).toArray();
        LogitLens.Result result = LogitLens.decode(phi.model(), ids, streams, positions, topK, phi.vocabularyLimit(),
                target == null ? -1 : target, this::text);
        LensCell[][] cells = new LensCell[points.size()][positions.length];
        List<String> stages = result.cells().stream().map(LogitLens.Cell::stage).distinct().toList();
        for (LogitLens.Cell cell : result.cells()) {
            cells[stages.indexOf(cell.stage())][cell.position() - first] = new LensCell(cell.top(),
                    target == null ? null : cell.targetRank(), target == null ? null : cell.targetProbability());
        }
        return new Lens(stages, first, last, ids.length, target == null ? null : new TokenRef(target, text(target)), cells);
    }

    Attribution attribution(Job job, int[] ids, int position, int token, int versus) {
        DirectLogitAttribution.Result result = DirectLogitAttribution.compute(phi.model(), job.guard(phi.newHooks()), ids, position,
                token, versus);
        int layers = phi.config().numLayers();
        double[][] heads = new double[layers][phi.config().numHeads()];
        double[] attentionBias = new double[layers];
        double[] mlp = new double[layers];
        double embed = 0;
        double constant = 0;
        for (DirectLogitAttribution.Contribution c : result.contributions()) {
            switch (c.kind()) {
                case "head" -> heads[c.layer()][c.head()] = c.value();
                case "attn_bias" -> attentionBias[c.layer()] = c.value();
                case "mlp" -> mlp[c.layer()] = c.value();
                case "embed" -> embed = c.value();
                case "constant" -> constant = c.value();
                default -> throw new IllegalStateException("unknown contribution kind " + c.kind());
            }
        }
        return new Attribution(position, new TokenRef(token, text(token)), new TokenRef(versus, text(versus)),
                result.modelLogitDifference(), result.total(), embed, heads, attentionBias, mlp, constant);
    }

    private String text(int id) {
        return phi.requireTokenizer().decode(id);
    }
}

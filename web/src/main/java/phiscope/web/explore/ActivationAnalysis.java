package phiscope.web.explore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import phiscope.engine.Phi;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.probes.linear.LinearProbe;
import phiscope.probes.linear.TokenScores;
import phiscope.web.server.ApiException;
import phiscope.web.server.Job;

/**
 * Activations per token: one MLP neuron, the top neurons of a layer at a token, a direction in
 * the residual stream, a saved probe's score.
 */
final class ActivationAnalysis {

    record NeuronActivations(int layer, int neuron, String hook, float[] values) {
    }

    record NeuronValue(int neuron, float value) {
    }

    record TopNeurons(int layer, int position, String hook, List<NeuronValue> neurons) {
    }

    /** Each token's activation at {@code hook} projected on the unit vector along {@code direction}. */
    record DirectionProjection(String hook, String direction, float[] values) {
    }

    /** A direction in the model's residual space and what it is, for the response. */
    record Direction(float[] vector, String description) {
    }

    /** A saved probe read at every token, as if the prompt ended there ({@link TokenScores}). */
    record ProbeScores(String probe, String hook, String kind, String pooling, List<String> classes,
                       List<TokenScores.TokenScore> scores) {
    }

    private final Phi phi;
    private final ActivationStore store;

    ActivationAnalysis(Phi phi, ActivationStore store) {
        this.phi = phi;
        this.store = store;
    }

    NeuronActivations neuron(Job job, int[] ids, int layer, HookSite mlpSite, int neuron) {
        HookPoint point = HookPoint.inBlock(layer, mlpSite);
        ActivationCache.Entry mlp = store.capture(job, ids, point);
        int width = phi.config().intermediateSize();
        float[] values = new float[ids.length];
        for (int t = 0; t < ids.length; t++) {
            values[t] = mlp.data()[t * width + neuron];
        }
        return new NeuronActivations(layer, neuron, point.name(), values);
    }

    TopNeurons topNeurons(Job job, int[] ids, int layer, HookSite mlpSite, int position, int k) {
        HookPoint point = HookPoint.inBlock(layer, mlpSite);
        ActivationCache.Entry mlp = store.capture(job, ids, point);
        int width = phi.config().intermediateSize();
        int base = position * width;
        PriorityQueue<NeuronValue> best = new PriorityQueue<>(Comparator.comparingDouble(NeuronValue::value));
        for (int n = 0; n < width; n++) {
            best.add(new NeuronValue(n, mlp.data()[base + n]));
            if (best.size() > k) {
                best.poll();
            }
        }
        List<NeuronValue> neurons = new ArrayList<>(best);
        neurons.sort(Comparator.comparingDouble(NeuronValue::value).reversed());
        return new TopNeurons(layer, position, point.name(), neurons);
    }

    DirectionProjection project(Job job, int[] ids, HookPoint point, Direction direction) {
        if (point.site().layout() != HookSite.Layout.TOKENS_MODEL) {
            throw ApiException.badRequest("hook '" + point.name() + "' is not in the residual space; a direction needs a [tokens, d_model] "
                    + "hook such as blocks.0.hook_resid_post", Map.of("field", "hook"));
        }
        float[] unit = unit(direction.vector());
        ActivationCache.Entry residual = store.capture(job, ids, point);
        int d = phi.config().hiddenSize();
        float[] values = new float[ids.length];
        for (int t = 0; t < ids.length; t++) {
            double dot = 0;
            for (int i = 0; i < d; i++) {
                dot += residual.data()[t * d + i] * unit[i];
            }
            values[t] = (float) dot;
        }
        return new DirectionProjection(point.name(), direction.description(), values);
    }

    ProbeScores probeScores(Job job, int[] ids, String name, LinearProbe probe, HookPoint point) {
        ActivationCache.Entry activation = store.capture(job, ids, point);
        List<TokenScores.TokenScore> scores = TokenScores.score(probe, ids, activation.data(), id -> phi.requireTokenizer().decode(id));
        return new ProbeScores(name, point.name(), probe.kind().label(), probe.pooling().label(), probe.classes(), scores);
    }

    /** The unembedding row of a token: the direction the final residual moves along to predict it. */
    float[] unembedding(int tokenId) {
        float[] row = new float[phi.config().hiddenSize()];
        phi.model().weights().lmHead().weight().decodeRows(tokenId, 1, row, 0);
        return row;
    }

    private float[] unit(float[] vector) {
        int d = phi.config().hiddenSize();
        if (vector.length != d) {
            throw ApiException.badRequest("the direction has " + vector.length + " components; the model's residual space has " + d,
                    Map.of("field", "vector", "dModel", d));
        }
        double norm = 0;
        for (float v : vector) {
            norm += (double) v * v;
        }
        norm = Math.sqrt(norm);
        if (!(norm > 0) || Double.isInfinite(norm)) {
            throw ApiException.badRequest("the direction must be a finite, non-zero vector", Map.of("field", "vector"));
        }
        float[] unit = new float[d];
        for (int i = 0; i < d; i++) {
            unit[i] = (float) (vector[i] / norm);
        }
        return unit;
    }
}

package phiscope.probes.lens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import phiscope.engine.Phi;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.model.PhiModel;
import phiscope.engine.model.Sampler;
import phiscope.engine.tensor.Ops;
import phiscope.probes.Nanophi;

class LensTest {

    private final Phi phi = Nanophi.phi();
    private final int[] tokens = phi.encode("class Linear(nn.Module):\n    def __init__(self");

    @Test
    void theLastStageIsTheModelsOwnOutput() {
        float[] logits = phi.model().forward(tokens, PhiModel.Logits.ALL);
        int vocab = phi.config().vocabSize();
        int[] positions = {0, 4, tokens.length - 1};
        int target = phi.encode(" config")[0];
        LogitLens.Result lens = LogitLens.run(phi.model(), tokens, positions, 3, phi.vocabularyLimit(), target, id -> phi.decode(new int[] {id}));
        assertEquals(5 * positions.length, lens.cells().size(), "embed + 4 blocks, per position");
        for (LogitLens.Cell cell : lens.cells().subList(4 * positions.length, 5 * positions.length)) {
            assertEquals("blocks.3", cell.stage());
            int row = cell.position() * vocab;
            float logSumExp = Ops.logSumExp(logits, row, vocab);
            int argmax = Sampler.argmax(logits, row, row + phi.vocabularyLimit());
            assertEquals(argmax, cell.top().getFirst().id());
            assertEquals(Math.exp(logits[row + argmax] - logSumExp), cell.top().getFirst().probability(), 1e-5);
            assertEquals(Math.exp(logits[row + target] - logSumExp), cell.targetProbability(), 1e-5);
            int rank = 1;
            for (int i = 0; i < phi.vocabularyLimit(); i++) {
                rank += logits[row + i] > logits[row + target] ? 1 : 0;
            }
            assertEquals(rank, cell.targetRank());
        }
        assertEquals(5, lens.grid().rowCount());
        assertEquals(1 + positions.length, lens.grid().columnCount());
        assertThrows(IllegalArgumentException.class, () -> LogitLens.run(phi.model(), tokens, new int[] {99}, 3, 100, -1, String::valueOf));
    }

    @Test
    void directLogitAttributionAddsUpToTheModelsLogitDifference() {
        int self = phi.encode(" self")[0];
        int config = phi.encode(" config")[0];
        for (int position : new int[] {2, tokens.length - 1}) {
            DirectLogitAttribution.Result r = DirectLogitAttribution.compute(phi.model(), tokens, position, config, self);
            assertEquals(1 + 4 * (4 + 2) + 1, r.contributions().size());
            assertEquals(r.modelLogitDifference(), r.total(), 2e-4 * Math.max(1, Math.abs(r.modelLogitDifference())));
            DirectLogitAttribution.Result swapped = DirectLogitAttribution.compute(phi.model(), tokens, position, self, config);
            List<DirectLogitAttribution.Contribution> a = r.contributions();
            for (int i = 0; i < a.size(); i++) {
                assertEquals(-a.get(i).value(), swapped.contributions().get(i).value(), 1e-9, a.get(i).component());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> DirectLogitAttribution.compute(phi.model(), tokens, 0, -1, 3));
    }

    @Test
    void decodingALongPromptsStreamsInChunksStillGivesTheModelsOutput() {
        int[] longTokens = phi.encode("def add(first, second):\n    return first + second\n\n\ndef mul(first, second):\n"
                + "    return first * second\n\nprint(add(1, 2), mul(3, 4))\n");
        assertTrue(longTokens.length > 40, "more positions than one chunk of unembedding: " + longTokens.length);
        List<HookPoint> points = LogitLens.streams(phi.config());
        assertEquals(List.of("blocks.0.hook_resid_pre", "blocks.0.hook_resid_post", "blocks.1.hook_resid_post",
                "blocks.2.hook_resid_post", "blocks.3.hook_resid_post"), points.stream().map(HookPoint::name).toList());
        Hooks hooks = phi.newHooks();
        ActivationCache captured = ActivationCache.capture(hooks, points.stream().map(HookPoint::name).toArray(String[]::new));
        float[] logits = phi.model().forward(longTokens, hooks, PhiModel.Logits.ALL);
        List<float[]> streams = points.stream().map(p -> captured.get(p.name()).data()).toList();
        int[] positions = IntStream.range(0, longTokens.length).toArray();
        LogitLens.Result lens = LogitLens.decode(phi.model(), longTokens, streams, positions, 2, phi.vocabularyLimit(), -1, String::valueOf);
        int vocab = phi.config().vocabSize();
        List<LogitLens.Cell> last = lens.cells().subList(4 * positions.length, 5 * positions.length);
        for (LogitLens.Cell cell : last) {
            int row = cell.position() * vocab;
            assertEquals(Sampler.argmax(logits, row, row + phi.vocabularyLimit()), cell.top().getFirst().id(), "position " + cell.position());
            assertEquals(Math.exp(logits[row + cell.top().getFirst().id()] - Ops.logSumExp(logits, row, vocab)),
                    cell.top().getFirst().probability(), 1e-5);
            assertEquals(-1, cell.targetRank());
        }
        assertEquals(positions.length - 1, last.getLast().position());
        assertThrows(IllegalArgumentException.class, () -> LogitLens.decode(phi.model(), longTokens, streams.subList(0, 4), positions, 2,
                phi.vocabularyLimit(), -1, String::valueOf));
        assertThrows(IllegalArgumentException.class, () -> LogitLens.decode(phi.model(), tokens, streams, new int[] {0}, 2,
                phi.vocabularyLimit(), -1, String::valueOf));
    }

    @Test
    void theAttributionIsOfThePassWithTheCallersHooks() {
        int self = phi.encode(" self")[0];
        int config = phi.encode(" config")[0];
        int position = tokens.length - 1;
        DirectLogitAttribution.Result r = DirectLogitAttribution.compute(phi.model(), withoutL3H2(), tokens, position, config, self);
        double head = r.contributions().stream().filter(c -> c.component().equals("L3H2")).findFirst().orElseThrow().value();
        assertEquals(0, head, 0, "a zero-ablated head contributes nothing");
        float[] logits = phi.model().forward(tokens, withoutL3H2(), PhiModel.Logits.ALL);
        int vocab = phi.config().vocabSize();
        double ablatedDifference = (double) logits[position * vocab + config] - logits[position * vocab + self];
        // Observing hook_result makes the engine sum the attention output head by head: float rounding differs.
        assertEquals(ablatedDifference, r.modelLogitDifference(), 1e-5);
        assertEquals(ablatedDifference, r.total(), 2e-4 * Math.max(1, Math.abs(ablatedDifference)));
        double clean = DirectLogitAttribution.compute(phi.model(), tokens, position, config, self).modelLogitDifference();
        assertNotEquals(clean, ablatedDifference, 1e-6, "the ablation changes the logit difference");
    }

    /** Hooks that zero head 2 of block 3 at every position. */
    private Hooks withoutL3H2() {
        return phi.newHooks().add("blocks.3.attn.hook_z", z -> {
            int[] shape = z.shape();
            for (int t = 0; t < shape[0]; t++) {
                for (int i = 0; i < shape[2]; i++) {
                    z.set(0f, t, 2, i);
                }
            }
        });
    }
}

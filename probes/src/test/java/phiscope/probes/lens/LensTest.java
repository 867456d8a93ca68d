package phiscope.probes.lens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import phiscope.engine.Phi;
import phiscope.engine.model.PhiModel;
import phiscope.engine.model.Sampler;
import phiscope.engine.tensor.Ops;
import phiscope.probes.Nanophi;

class LensTest {

    private final Phi phi = Nanophi.phi();
    private final int[] tokens = phi.encode("class Linear(nn.Module):\n    def __init__(self");

    @Test
    void theLastStageIsTheModelsOwnOutput() {
        float[] logits = phi.model().forward(tokens, phi.hooks(), PhiModel.Logits.ALL);
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
}

package phiscope.probes.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Comparator;
import org.junit.jupiter.api.Test;
import phiscope.engine.Phi;
import phiscope.engine.hooks.Hooks;
import phiscope.probes.Nanophi;
import phiscope.probes.Progress;

class HeadDetectorTest {

    private final Phi phi = Nanophi.phi();

    @Test
    void handBuiltPatternsScoreExactly() {
        int n = 3;
        int t = 1 + 2 * n;
        float[] pattern = new float[2 * t * t];
        for (int q = 0; q < t; q++) {
            pattern[q * t + Math.max(0, q - 1)] = 1;                       // head 0: previous token
            int key = q > n ? q - n + 1 : 0;                                // head 1: induction in the second copy
            pattern[(t + q) * t + key] = 1;
        }
        double[][] scores = HeadDetector.scorePattern(pattern, 2, n, true);
        assertArrayEquals(new double[] {1, 0, 0}, scores[0], 1e-12);
        // Head 1's induction key for the first query of the second copy (q = n + 1) is 2, its duplicate key 1.
        assertEquals(0, scores[1][1], 1e-12);
        assertEquals(1, scores[1][2], 1e-12);
    }

    @Test
    void aForcedInductionPatternIsFoundAndNanophiHasInductionHeads() {
        int n = 8;
        // Rewrite L1H2's pattern into a perfect induction head; the detector, an observer, must see exactly that.
        HeadDetector.Result forced = HeadDetector.run(phi.model(), HeadDetector.vocabulary(1000), n, 2, 5, phi.endOfText(), () -> {
            Hooks hooks = phi.newHooks();
            hooks.add("blocks.1.attn.hook_pattern", a -> {
                int t = a.shape()[1];
                for (int q = 0; q < t; q++) {
                    for (int k = 0; k < t; k++) {
                        a.set(k == (q > n ? q - n + 1 : 0) ? 1f : 0f, 2, q, k);
                    }
                }
            });
            return hooks;
        }, Progress.NONE);
        HeadDetector.HeadScore head = forced.heads().get(1 * 4 + 2);
        assertEquals(1.0, head.induction(), 1e-12);
        assertEquals(0.0, head.duplicateToken(), 1e-12);

        // The bundled model on tokens it knows: a clear induction head, and a far lower loss on the repeat.
        int[] pool = HeadDetector.distinct(phi.encode("import os\nimport sys\n\ndef main(args):\n    for name in args:\n"
                + "        path = os.path.join(root, name)\n        if not os.path.exists(path):\n            raise ValueError(name)\n"
                + "    return [x * 2 for x in values if x]\n\nclass Config:\n    def __init__(self, data):\n        self.data = data\n"));
        HeadDetector.Result real = HeadDetector.run(phi.model(), pool, 24, 4, 0, phi.endOfText(), phi::newHooks, Progress.NONE);
        HeadDetector.HeadScore top = real.top(Comparator.comparingDouble(HeadDetector.HeadScore::induction), 1).getFirst();
        assertTrue(top.induction() > 0.3 && top.layer() >= 2, top.toString());
        assertTrue(real.secondCopyLoss() < real.firstCopyLoss() - 2, real.firstCopyLoss() + " vs " + real.secondCopyLoss());
        assertEquals(16, real.table().rowCount());
        assertThrows(IllegalArgumentException.class, () -> HeadDetector.run(phi.model(), pool, 1, 1, 0, -1, phi::newHooks, Progress.NONE));
    }
}

package phiscope.probes.linear;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void aurocCountsOrderedPairsAndHalfTies() {
        // Pairs (positive, negative): 0.35 > 0.1, 0.35 < 0.4, 0.8 > 0.1, 0.8 > 0.4: 3 of 4.
        assertEquals(0.75, Metrics.auroc(new double[] {0.1, 0.4, 0.35, 0.8}, new boolean[] {false, false, true, true}));
        assertEquals(0.5, Metrics.auroc(new double[] {0.5, 0.5}, new boolean[] {true, false}));
        // 2 positives x 3 negatives: 0.5 ties 0.5 and beats 0.3, 0.1; 0.2 beats only 0.1: (0.5 + 2 + 1) / 6.
        assertEquals(3.5 / 6, Metrics.auroc(new double[] {0.5, 0.2, 0.5, 0.3, 0.1}, new boolean[] {true, true, false, false, false}), 1e-12);
        assertEquals(1.0, Metrics.auroc(new double[] {3, 1, 2}, new boolean[] {true, false, false}));
        assertTrue(Double.isNaN(Metrics.auroc(new double[] {1, 2}, new boolean[] {true, true})));
        assertEquals(2.0 / 3, Metrics.accuracy(new int[] {1, 0, 1}, new int[] {1, 1, 1}), 1e-12);
    }
}

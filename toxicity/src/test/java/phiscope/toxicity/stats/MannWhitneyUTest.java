package phiscope.toxicity.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Expected values worked out by hand (ranks, tie term, z) and checked with numpy and math.erfc;
 * exact p-values by enumerating all splits of the pooled values.
 */
class MannWhitneyUTest {

    private static final double P_TOLERANCE = 1e-13;

    @Test
    void smallSamplesWithTiesUseTheNormalApproximation() {
        // Pooled ranks: 1 -> 1; 2,2,2 -> 3; 3 -> 5; 4,4 -> 6.5. R1 = 1 + 3 + 3 = 7, U1 = 7 - 6 = 1.
        // Tie term 24 + 6 = 30; sd = sqrt(12/12 * (8 - 30/42)); z = (11 - 6 - 0.5) / sd.
        var result = MannWhitneyU.test(new double[] {1, 2, 2}, new double[] {2, 3, 4, 4});
        assertEquals(1.0, result.u(), 0);
        double z = 4.5 / Math.sqrt(8 - 30.0 / 42);
        assertEquals(1.6671568, z, 1e-7);
        assertEquals(0.09548323209754739, result.p(), P_TOLERANCE);
    }

    @Test
    void largerSamplesWithTiesMatchScipy() {
        var result = MannWhitneyU.test(
                new double[] {4, 5, 5, 6, 8, 9, 9, 9, 10, 12},
                new double[] {1, 2, 2, 3, 5, 5, 6, 7, 9});
        // R1 = 127, U1 = 127 - 55 = 72.
        assertEquals(72.0, result.u(), 0);
        assertEquals(0.02889610439442854, result.p(), P_TOLERANCE);
        assertEquals(72.0 / 90, result.commonLanguageEffect(), 0);
    }

    @Test
    void uOfTheSecondSampleIsTheComplement() {
        double[] a = {4, 5, 5, 6, 8, 9, 9, 9, 10, 12};
        double[] b = {1, 2, 2, 3, 5, 5, 6, 7, 9};
        var ab = MannWhitneyU.test(a, b);
        var ba = MannWhitneyU.test(b, a);
        assertEquals(90 - ab.u(), ba.u(), 0);
        assertEquals(ab.p(), ba.p(), 0);
    }

    @Test
    void smallSamplesWithoutTiesUseTheExactDistribution() {
        // 14 of the 210 splits of the ten values give max(U, 24 - U) >= 21.
        var result = MannWhitneyU.test(new double[] {1.5, 3.2, 7.7, 8.1}, new double[] {0.1, 2.2, 0.4, 1.0, 0.9, 5.5});
        assertEquals(21.0, result.u(), 0);
        assertEquals(14.0 / 210, result.p(), P_TOLERANCE);
    }

    @Test
    void exactWhenOnlyOneSampleIsSmall() {
        // scipy's "auto" goes asymptotic only when both samples have more than eight values.
        var result = MannWhitneyU.test(new double[] {10.0, 11.5, 12.25}, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10.5, 11, 13});
        assertEquals(31.0, result.u(), 0);
        assertEquals(32.0 / 455, result.p(), P_TOLERANCE);
    }

    @Test
    void completelySeparatedSmallSamples() {
        var result = MannWhitneyU.test(new double[] {0.5, 0.6, 0.7, 0.8}, new double[] {1.0, 1.1, 1.2, 1.3, 1.4});
        assertEquals(0.0, result.u(), 0);
        assertEquals(2.0 / 126, result.p(), P_TOLERANCE);
    }

    @Test
    void largeSeparatedSamplesGiveATinyPValue() {
        double[] high = new double[20];
        double[] low = new double[25];
        for (int i = 0; i < 20; i++) high[i] = 20 + i;
        for (int i = 0; i < 25; i++) low[i] = i;
        var result = MannWhitneyU.test(high, low);
        assertEquals(487.5, result.u(), 0);
        assertEquals(6.151062703819725e-08, result.p(), 6.151062703819725e-08 * 1e-12);
    }

    @Test
    void allValuesTiedGiveHalfTheProductAndPOne() {
        var result = MannWhitneyU.test(new double[] {3, 3, 3}, new double[] {3, 3});
        assertEquals(3.0, result.u(), 0);
        assertEquals(1.0, result.p(), 0);
    }

    @Test
    void rejectsEmptySamplesAndNaN() {
        assertThrows(IllegalArgumentException.class, () -> MannWhitneyU.test(new double[0], new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> MannWhitneyU.test(new double[] {Double.NaN}, new double[] {1}));
    }
}

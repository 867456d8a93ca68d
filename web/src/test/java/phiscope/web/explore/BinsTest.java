package phiscope.web.explore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BinsTest {

    @Test
    void shortSequencesAreNotBinned() {
        Bins bins = Bins.of(3, 8);
        assertFalse(bins.downsampled());
        assertArrayEquals(new int[] {0, 1, 2}, bins.starts());
        float[] pattern = {1, 0, 0, .25f, .75f, 0, .5f, .25f, .25f};
        float[][] cells = bins.maxPool(pattern, 0);
        assertArrayEquals(new float[] {1}, cells[0]);
        assertArrayEquals(new float[] {.25f, .75f}, cells[1]);
        assertArrayEquals(new float[] {.5f, .25f, .25f}, cells[2]);
    }

    @Test
    void longSequencesKeepTheLargestWeightOfEachCell() {
        int t = 5;
        Bins bins = Bins.of(t, 2);
        assertTrue(bins.downsampled());
        assertArrayEquals(new int[] {0, 2}, bins.starts());
        float[] pattern = new float[t * t];
        for (int q = 0; q < t; q++) {
            for (int k = 0; k <= q; k++) {
                pattern[q * t + k] = (q * 10 + k) / 100f;
            }
        }
        float[][] cells = bins.maxPool(pattern, 0);
        assertEquals(.11f, cells[0][0], "rows 0-1, keys 0-1: query 1 on key 1");
        assertEquals(.41f, cells[1][0], "rows 2-4, keys 0-1");
        assertEquals(.44f, cells[1][1], "rows 2-4, keys 2-4, causal");
    }
}

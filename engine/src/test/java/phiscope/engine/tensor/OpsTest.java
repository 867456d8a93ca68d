package phiscope.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OpsTest {

    @Test
    void dotsAlongColumnsAreExactSumsWithTheSameBitsForEveryColumnCount() {
        SplittableRandom random = new SplittableRandom(4);
        int depth = 37;
        int stride = 5 * VectorMath.LANES + 9;
        float[] x = WeightMatrixTest.gaussians(depth + 3, random);
        float[] m = WeightMatrixTest.gaussians(depth * stride + 2, random);
        float scale = 0.125f;
        int count = stride - 1;
        float[] all = new float[count];
        Ops.dotsAlongColumns(x, 3, depth, MemorySegment.ofArray(m), 2, stride, count, scale, all, 0);
        for (int j = 0; j < count; j++) {
            double exact = 0;
            for (int d = 0; d < depth; d++) {
                exact += (double) x[3 + d] * m[2 + d * stride + j];
            }
            assertEquals(exact * scale, all[j], 1e-5, "column " + j);
        }
        // Fewer columns (a shorter causal row) and a later first column give the same bits.
        for (int first : new int[] {0, 1, 17}) {
            for (int n = 1; first + n <= count; n += 7) {
                float[] part = new float[n];
                Ops.dotsAlongColumns(x, 3, depth, MemorySegment.ofArray(m), 2 + first, stride, n, scale, part, 0);
                for (int j = 0; j < n; j++) {
                    assertEquals(Float.floatToRawIntBits(all[first + j]), Float.floatToRawIntBits(part[j]),
                            "column " + (first + j) + " of " + n + " from " + first);
                }
            }
        }
    }
}

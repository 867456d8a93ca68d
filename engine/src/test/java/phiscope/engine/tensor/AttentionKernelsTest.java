package phiscope.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AttentionKernelsTest {

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
        AttentionKernels.dotsAlongColumns(x, 3, depth, MemorySegment.ofArray(m), 2, stride, count, scale, all, 0);
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
                AttentionKernels.dotsAlongColumns(x, 3, depth, MemorySegment.ofArray(m), 2 + first, stride, n, scale, part, 0);
                for (int j = 0; j < n; j++) {
                    assertEquals(Float.floatToRawIntBits(all[first + j]), Float.floatToRawIntBits(part[j]),
                            "column " + (first + j) + " of " + n + " from " + first);
                }
            }
        }
    }

    @Test
    void fourCausalRowsAtOnceScoreWithTheBitsOfEachAlone() {
        SplittableRandom random = new SplittableRandom(5);
        int depth = 29;
        int stride = 9 * VectorMath.LANES + 5;
        int xStride = depth + 7;
        float[] x = WeightMatrixTest.gaussians(4 * xStride + 3, random);
        MemorySegment m = MemorySegment.ofArray(WeightMatrixTest.gaussians(depth * stride + 2, random));
        for (int count : new int[] {1, VectorMath.LANES - 1, 4 * VectorMath.LANES, 4 * VectorMath.LANES + 3, stride - 4}) {
            int outStride = count + 11;
            float[] four = new float[4 * outStride];
            Arrays.fill(four, Float.NaN);
            AttentionKernels.fourDotsAlongColumns(x, 3, xStride, depth, m, 2, stride, count, 0.25f, four, 0, outStride);
            for (int r = 0; r < 4; r++) {
                // Row r scores count + r columns, and leaves the rest of its row alone.
                float[] alone = new float[count + r];
                AttentionKernels.dotsAlongColumns(x, 3 + r * xStride, depth, m, 2, stride, count + r, 0.25f, alone, 0);
                for (int j = 0; j < count + r; j++) {
                    assertEquals(Float.floatToRawIntBits(alone[j]), Float.floatToRawIntBits(four[r * outStride + j]),
                            "query " + r + " column " + j + " of " + (count + r));
                }
                for (int j = count + r; j < outStride; j++) {
                    assertTrue(Float.isNaN(four[r * outStride + j]), "query " + r + " wrote column " + j);
                }
            }
        }
    }

    @Test
    void weightedSumsAreExactFourAtOnceOrContinuedWithTheBitsOfOneChain() {
        SplittableRandom random = new SplittableRandom(6);
        int count = 45;
        for (int width : new int[] {3, VectorMath.LANES, 5 * VectorMath.LANES, 4 * VectorMath.LANES + 7}) {
            int stride = width + 2;
            MemorySegment v = MemorySegment.ofArray(WeightMatrixTest.gaussians((count + 3) * stride + 1, random));
            int wStride = count + 7;
            float[] weights = WeightMatrixTest.gaussians(4 * wStride, random);
            int outStride = width + 5;
            float[] four = new float[4 * outStride];
            AttentionKernels.fourWeightedSums(weights, 0, wStride, count, v, 1, stride, four, 0, outStride, width);
            for (int r = 0; r < 4; r++) {
                // Row r sums count + r value vectors, as a causal prompt's rows do.
                float[] alone = new float[width];
                AttentionKernels.weightedSum(weights, r * wStride, count + r, v, 1, stride, alone, 0, width);
                // The same sum run over the first 17 keys, then continued over the rest.
                float[] continued = new float[width];
                AttentionKernels.weightedSum(weights, r * wStride, 17, v, 1, stride, continued, 0, width);
                AttentionKernels.addWeightedSum(weights, r * wStride + 17, count + r - 17, v, 1 + 17L * stride, stride, continued, 0, width);
                for (int i = 0; i < width; i++) {
                    double exact = 0;
                    for (int j = 0; j < count + r; j++) {
                        exact += (double) weights[r * wStride + j] * v.getAtIndex(ValueLayout.JAVA_FLOAT, 1 + j * stride + i);
                    }
                    assertEquals(exact, alone[i], 1e-4, "width " + width + " output " + i);
                    String where = "width " + width + " query " + r + " output " + i;
                    assertEquals(Float.floatToRawIntBits(alone[i]), Float.floatToRawIntBits(four[r * outStride + i]), where);
                    assertEquals(Float.floatToRawIntBits(alone[i]), Float.floatToRawIntBits(continued[i]), where + " continued");
                }
            }
        }
    }
}

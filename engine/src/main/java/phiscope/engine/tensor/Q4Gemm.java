package phiscope.engine.tensor;

import static phiscope.engine.tensor.VectorMath.F;
import static phiscope.engine.tensor.VectorMath.LANES;
import static phiscope.engine.tensor.WeightFormat.BLOCK;
import static phiscope.engine.tensor.WeightMatrix.PANEL;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A prompt's products of Q4_0 weights by Q8_0 activations ({@link Q4Matrix}) in 16-bit integers:
 * each block of a panel is unpacked once into 16-bit lanes, two vectors per column, and every
 * group of {@link #TOKENS} tokens runs over it in a register tile of 24 accumulators, a
 * multiply and an add per 32 weights and token where float32 takes one FMA per 16. A block's
 * sums (at most 32 x 8 x 127 = 32,512 in magnitude) are exact, and are scaled into float32 as
 * {@link Q4Matrix}'s decode step scales them, so a token has the same bits alone or in a prompt.
 */
final class Q4Gemm {

    /** Token rows of the main register tile: 24 accumulators, two weight vectors and a broadcast of the 32 registers. */
    static final int TOKENS = 12;
    /** Shorts in the shape of a float vector: a panel's rows are two of them. */
    static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class, F.vectorShape());
    /** A panel's second vector of rows starts here. */
    private static final int HALF = PANEL / 2;

    private static final ThreadLocal<short[]> WEIGHTS = ThreadLocal.withInitial(() -> new short[BLOCK * PANEL]);
    private static final ThreadLocal<short[]> SUMS = ThreadLocal.withInitial(() -> new short[TOKENS * PANEL]);
    private static final ThreadScratch<float[]> ACCUMULATORS = ThreadScratch.floats();

    private Q4Gemm() {
    }

    /**
     * {@code y = x W^T} for panels {@code [firstPanel, endPanel)}, {@code x} the Q8_0 of
     * {@code tokens} rows of activations: their integers {@code q} and block scales {@code xScales}.
     */
    static void multiply(Q4Matrix w, short[] q, float[] xScales, int tokens, float[] y, int firstPanel, int endPanel) {
        int cols = w.cols();
        int rows = w.rows();
        int blocks = (cols + BLOCK - 1) / BLOCK;
        short[] weights = WEIGHTS.get();
        short[] sums = SUMS.get();
        float[] scales = BlockQuantizedMatrix.scaleBuffer();
        float[] acc = ACCUMULATORS.atLeast(tokens * PANEL);
        // Twelve-token tiles, then at most two of four and three of one: 64 tokens run as 5 x 12 + 4.
        int fours = tokens % TOKENS / 4;
        int twelvesEnd = tokens / TOKENS * TOKENS;
        int foursEnd = twelvesEnd + 4 * fours;
        for (int p = firstPanel; p < endPanel; p++) {
            Arrays.fill(acc, 0, tokens * PANEL, 0f);
            for (int b = 0; b < blocks; b++) {
                int k0 = b * BLOCK;
                int n = Math.min(BLOCK, cols - k0);
                long block = w.block(p, k0);
                w.decodeBlock(block, weights);
                w.decodeScales(block, scales, 0);
                int t = 0;
                for (; t < twelvesEnd; t += TOKENS) {
                    tile12(weights, n, q, t * cols + k0, cols, sums);
                    scaleSums(sums, TOKENS, acc, t, scales, xScales, t * blocks + b, blocks);
                }
                for (; t < foursEnd; t += 4) {
                    tile4(weights, n, q, t * cols + k0, cols, sums);
                    scaleSums(sums, 4, acc, t, scales, xScales, t * blocks + b, blocks);
                }
                for (; t < tokens; t++) {
                    tile1(weights, n, q, t * cols + k0, sums);
                    scaleSums(sums, 1, acc, t, scales, xScales, t * blocks + b, blocks);
                }
            }
            Gemm.storePanel(acc, tokens, p, rows, y);
        }
    }

    /**
     * Adds the block sums of {@code count} tokens from {@code first}, each scaled by the weights'
     * row scales times its block's activation scale ({@code xScales[s0 + i * sStride]}), into
     * their accumulator rows.
     */
    private static void scaleSums(short[] sums, int count, float[] acc, int first, float[] scales, float[] xScales, int s0, int sStride) {
        for (int i = 0; i < count; i++) {
            float d = xScales[s0 + i * sStride];
            int row = (first + i) * PANEL;
            for (int h = 0; h < PANEL; h += HALF) {
                ShortVector sum = ShortVector.fromArray(SHORTS, sums, i * PANEL + h);
                for (int part = 0; part < 2; part++) {
                    int j = h + part * LANES;
                    ((FloatVector) sum.convertShape(VectorOperators.S2F, F, part))
                            .fma(FloatVector.fromArray(F, scales, j).mul(d), FloatVector.fromArray(F, acc, row + j))
                            .intoArray(acc, row + j);
                }
            }
        }
    }

    private static void tile12(short[] w, int depth, short[] x, int x0, int xStride, short[] sums) {
        int x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride, x4 = x3 + xStride, x5 = x4 + xStride, x6 = x5 + xStride, x7 = x6 + xStride, x8 = x7 + xStride, x9 = x8 + xStride, x10 = x9 + xStride, x11 = x10 + xStride;
        ShortVector a00 = ShortVector.zero(SHORTS), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        ShortVector a40 = a00, a41 = a00, a50 = a00, a51 = a00, a60 = a00, a61 = a00, a70 = a00, a71 = a00;
        ShortVector a80 = a00, a81 = a00, a90 = a00, a91 = a00, a100 = a00, a101 = a00, a110 = a00, a111 = a00;
        for (int k = 0; k < depth; k++) {
            ShortVector v0 = ShortVector.fromArray(SHORTS, w, k * PANEL);
            ShortVector v1 = ShortVector.fromArray(SHORTS, w, k * PANEL + HALF);
            ShortVector b = ShortVector.broadcast(SHORTS, x[x0 + k]);
            a00 = v0.mul(b).add(a00); a01 = v1.mul(b).add(a01);
            b = ShortVector.broadcast(SHORTS, x[x1 + k]);
            a10 = v0.mul(b).add(a10); a11 = v1.mul(b).add(a11);
            b = ShortVector.broadcast(SHORTS, x[x2 + k]);
            a20 = v0.mul(b).add(a20); a21 = v1.mul(b).add(a21);
            b = ShortVector.broadcast(SHORTS, x[x3 + k]);
            a30 = v0.mul(b).add(a30); a31 = v1.mul(b).add(a31);
            b = ShortVector.broadcast(SHORTS, x[x4 + k]);
            a40 = v0.mul(b).add(a40); a41 = v1.mul(b).add(a41);
            b = ShortVector.broadcast(SHORTS, x[x5 + k]);
            a50 = v0.mul(b).add(a50); a51 = v1.mul(b).add(a51);
            b = ShortVector.broadcast(SHORTS, x[x6 + k]);
            a60 = v0.mul(b).add(a60); a61 = v1.mul(b).add(a61);
            b = ShortVector.broadcast(SHORTS, x[x7 + k]);
            a70 = v0.mul(b).add(a70); a71 = v1.mul(b).add(a71);
            b = ShortVector.broadcast(SHORTS, x[x8 + k]);
            a80 = v0.mul(b).add(a80); a81 = v1.mul(b).add(a81);
            b = ShortVector.broadcast(SHORTS, x[x9 + k]);
            a90 = v0.mul(b).add(a90); a91 = v1.mul(b).add(a91);
            b = ShortVector.broadcast(SHORTS, x[x10 + k]);
            a100 = v0.mul(b).add(a100); a101 = v1.mul(b).add(a101);
            b = ShortVector.broadcast(SHORTS, x[x11 + k]);
            a110 = v0.mul(b).add(a110); a111 = v1.mul(b).add(a111);
        }
        a00.intoArray(sums, 0); a01.intoArray(sums, HALF);
        a10.intoArray(sums, 1 * PANEL); a11.intoArray(sums, 1 * PANEL + HALF);
        a20.intoArray(sums, 2 * PANEL); a21.intoArray(sums, 2 * PANEL + HALF);
        a30.intoArray(sums, 3 * PANEL); a31.intoArray(sums, 3 * PANEL + HALF);
        a40.intoArray(sums, 4 * PANEL); a41.intoArray(sums, 4 * PANEL + HALF);
        a50.intoArray(sums, 5 * PANEL); a51.intoArray(sums, 5 * PANEL + HALF);
        a60.intoArray(sums, 6 * PANEL); a61.intoArray(sums, 6 * PANEL + HALF);
        a70.intoArray(sums, 7 * PANEL); a71.intoArray(sums, 7 * PANEL + HALF);
        a80.intoArray(sums, 8 * PANEL); a81.intoArray(sums, 8 * PANEL + HALF);
        a90.intoArray(sums, 9 * PANEL); a91.intoArray(sums, 9 * PANEL + HALF);
        a100.intoArray(sums, 10 * PANEL); a101.intoArray(sums, 10 * PANEL + HALF);
        a110.intoArray(sums, 11 * PANEL); a111.intoArray(sums, 11 * PANEL + HALF);
    }


    private static void tile4(short[] w, int depth, short[] x, int x0, int xStride, short[] sums) {
        int x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride;
        ShortVector a00 = ShortVector.zero(SHORTS), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        for (int k = 0; k < depth; k++) {
            ShortVector v0 = ShortVector.fromArray(SHORTS, w, k * PANEL);
            ShortVector v1 = ShortVector.fromArray(SHORTS, w, k * PANEL + HALF);
            ShortVector b = ShortVector.broadcast(SHORTS, x[x0 + k]);
            a00 = v0.mul(b).add(a00); a01 = v1.mul(b).add(a01);
            b = ShortVector.broadcast(SHORTS, x[x1 + k]);
            a10 = v0.mul(b).add(a10); a11 = v1.mul(b).add(a11);
            b = ShortVector.broadcast(SHORTS, x[x2 + k]);
            a20 = v0.mul(b).add(a20); a21 = v1.mul(b).add(a21);
            b = ShortVector.broadcast(SHORTS, x[x3 + k]);
            a30 = v0.mul(b).add(a30); a31 = v1.mul(b).add(a31);
        }
        a00.intoArray(sums, 0); a01.intoArray(sums, HALF);
        a10.intoArray(sums, 1 * PANEL); a11.intoArray(sums, 1 * PANEL + HALF);
        a20.intoArray(sums, 2 * PANEL); a21.intoArray(sums, 2 * PANEL + HALF);
        a30.intoArray(sums, 3 * PANEL); a31.intoArray(sums, 3 * PANEL + HALF);
    }


    private static void tile1(short[] w, int depth, short[] x, int x0, short[] sums) {
        ShortVector a00 = ShortVector.zero(SHORTS), a01 = a00;
        for (int k = 0; k < depth; k++) {
            ShortVector v0 = ShortVector.fromArray(SHORTS, w, k * PANEL);
            ShortVector v1 = ShortVector.fromArray(SHORTS, w, k * PANEL + HALF);
            ShortVector b = ShortVector.broadcast(SHORTS, x[x0 + k]);
            a00 = v0.mul(b).add(a00); a01 = v1.mul(b).add(a01);
        }
        a00.intoArray(sums, 0); a01.intoArray(sums, HALF);
    }

}

package phiscope.engine.tensor;

import static phiscope.engine.tensor.VectorMath.F;
import static phiscope.engine.tensor.VectorMath.LANES;
import static phiscope.engine.tensor.WeightFormat.BLOCK;
import static phiscope.engine.tensor.WeightMatrix.PANEL;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * {@code y = x W^T} for a weight matrix seen one panel at a time. A panel's columns are decoded
 * {@link #DEPTH} at a time into a float32 buffer that stays in the L1 cache, and every group of
 * token rows runs over it in a register tile: {@link #TOKENS} tokens times one panel (four
 * vectors of rows) in 24 accumulators, fed by one broadcast token value and four weight vectors
 * per column. The weights of a panel are decoded once per call however many tokens there are.
 *
 * <p>Between column chunks the accumulators wait in a buffer of their own, one panel wide
 * ({@code [token][PANEL]}), and are copied into {@code y} when the panel is done. Parked in
 * {@code y} itself they sat a whole output row apart (10 to 200 KB), every token's in the same
 * few cache sets, and a long prompt's products ran slower for it.
 *
 * <p>Every output {@code y[t][r]} is summed the same way whichever tile computes it: each run of
 * columns is one chain of fused multiply-adds in column order, from zero, and one more fused
 * multiply-add scales the run's sum by the row's scale into the output. A block-quantized matrix
 * decodes its integers, not its weights, and its runs are its blocks of
 * {@link WeightFormat#BLOCK} columns, each with its own scale, so the decode step leaves the
 * multiply by the scale out of its per-weight work; float weights run {@link #DEPTH} columns with
 * a scale of 1, an exact add. So a token's result has the same bits whether it runs alone (the
 * decode-step kernels sum it the same way), in a long prompt, packed with other texts, or on
 * another thread.
 */
final class Gemm {

    /** Columns decoded at once: a {@code DEPTH x PANEL} float32 panel is 32 KB with 512-bit vectors. */
    static final int DEPTH = 128;
    /** Token rows of the main register tile. */
    static final int TOKENS = 6;

    private static final ThreadLocal<float[]> PANEL_BUFFER = ThreadLocal.withInitial(() -> new float[DEPTH * PANEL]);
    private static final ThreadScratch<float[]> ACCUMULATORS = ThreadScratch.floats();
    /** The scales of float weights, which are their own values. */
    private static final float[] UNIT_SCALES = unitScales();

    private Gemm() {
    }

    private static float[] unitScales() {
        float[] ones = new float[PANEL];
        Arrays.fill(ones, 1f);
        return ones;
    }

    static void multiply(WeightMatrix w, float[] x, int tokens, float[] y, int firstPanel, int endPanel) {
        int k = w.cols();
        int rows = w.rows();
        float[] panel = PANEL_BUFFER.get();
        float[] acc = ACCUMULATORS.atLeast(tokens * PANEL);
        BlockQuantizedMatrix blocks = w instanceof BlockQuantizedMatrix q ? q : null;
        float[] scales = blocks != null ? BlockQuantizedMatrix.scaleBuffer() : UNIT_SCALES;
        int run = blocks != null ? BLOCK : DEPTH;
        for (int p = firstPanel; p < endPanel; p++) {
            Arrays.fill(acc, 0, tokens * PANEL, 0f);
            for (int k0 = 0; k0 < k; k0 += DEPTH) {
                int depth = Math.min(DEPTH, k - k0);
                w.decodePanel(p, k0, depth, panel);
                for (int c = 0; c < depth; c += run) {
                    if (blocks != null) {
                        blocks.decodeScales(blocks.block(p, k0 + c), scales, 0);
                    }
                    int n = Math.min(run, depth - c);
                    int t = 0;
                    for (; t + TOKENS <= tokens; t += TOKENS) {
                        tile6(panel, c * PANEL, n, x, t * k + k0 + c, k, acc, t * PANEL, scales);
                    }
                    for (; t < tokens; t++) {
                        tile1(panel, c * PANEL, n, x, t * k + k0 + c, acc, t * PANEL, scales);
                    }
                }
            }
            storePanel(acc, tokens, p, rows, y);
        }
    }

    /**
     * Copies panel {@code panel}'s accumulators ({@code [token][PANEL]}) into {@code y}'s rows of
     * {@code rows} outputs. A last panel past the matrix's rows computed zero rows, which are not copied.
     */
    static void storePanel(float[] acc, int tokens, int panel, int rows, float[] y) {
        int r0 = panel * PANEL;
        int count = Math.min(PANEL, rows - r0);
        for (int t = 0; t < tokens; t++) {
            System.arraycopy(acc, t * PANEL, y, t * rows + r0, count);
        }
    }

    /**
     * Six token rows ({@code x} rows {@code xStride} apart) times {@code depth} columns of the
     * decoded panel {@code w} from {@code w0}: each output's run sum, scaled by its row's entry of
     * {@code scales}, is added into the accumulator rows {@code PANEL} apart from {@code y0}.
     */
    private static void tile6(float[] w, int w0, int depth, float[] x, int x0, int xStride, float[] y, int y0, float[] scales) {
        int x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride, x4 = x3 + xStride, x5 = x4 + xStride;
        int y1 = y0 + PANEL, y2 = y1 + PANEL, y3 = y2 + PANEL, y4 = y3 + PANEL, y5 = y4 + PANEL;
        int l1 = LANES, l2 = 2 * LANES, l3 = 3 * LANES;
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        FloatVector c40 = c00, c41 = c00, c42 = c00, c43 = c00, c50 = c00, c51 = c00, c52 = c00, c53 = c00;
        for (int k = 0; k < depth; k++) {
            int wk = w0 + k * PANEL;
            FloatVector v0 = FloatVector.fromArray(F, w, wk);
            FloatVector v1 = FloatVector.fromArray(F, w, wk + l1);
            FloatVector v2 = FloatVector.fromArray(F, w, wk + l2);
            FloatVector v3 = FloatVector.fromArray(F, w, wk + l3);
            FloatVector b = FloatVector.broadcast(F, x[x0 + k]);
            c00 = v0.fma(b, c00); c01 = v1.fma(b, c01); c02 = v2.fma(b, c02); c03 = v3.fma(b, c03);
            b = FloatVector.broadcast(F, x[x1 + k]);
            c10 = v0.fma(b, c10); c11 = v1.fma(b, c11); c12 = v2.fma(b, c12); c13 = v3.fma(b, c13);
            b = FloatVector.broadcast(F, x[x2 + k]);
            c20 = v0.fma(b, c20); c21 = v1.fma(b, c21); c22 = v2.fma(b, c22); c23 = v3.fma(b, c23);
            b = FloatVector.broadcast(F, x[x3 + k]);
            c30 = v0.fma(b, c30); c31 = v1.fma(b, c31); c32 = v2.fma(b, c32); c33 = v3.fma(b, c33);
            b = FloatVector.broadcast(F, x[x4 + k]);
            c40 = v0.fma(b, c40); c41 = v1.fma(b, c41); c42 = v2.fma(b, c42); c43 = v3.fma(b, c43);
            b = FloatVector.broadcast(F, x[x5 + k]);
            c50 = v0.fma(b, c50); c51 = v1.fma(b, c51); c52 = v2.fma(b, c52); c53 = v3.fma(b, c53);
        }
        FloatVector d0 = FloatVector.fromArray(F, scales, 0), d1 = FloatVector.fromArray(F, scales, l1);
        FloatVector d2 = FloatVector.fromArray(F, scales, l2), d3 = FloatVector.fromArray(F, scales, l3);
        c00.fma(d0, FloatVector.fromArray(F, y, y0)).intoArray(y, y0); c01.fma(d1, FloatVector.fromArray(F, y, y0 + l1)).intoArray(y, y0 + l1); c02.fma(d2, FloatVector.fromArray(F, y, y0 + l2)).intoArray(y, y0 + l2); c03.fma(d3, FloatVector.fromArray(F, y, y0 + l3)).intoArray(y, y0 + l3);
        c10.fma(d0, FloatVector.fromArray(F, y, y1)).intoArray(y, y1); c11.fma(d1, FloatVector.fromArray(F, y, y1 + l1)).intoArray(y, y1 + l1); c12.fma(d2, FloatVector.fromArray(F, y, y1 + l2)).intoArray(y, y1 + l2); c13.fma(d3, FloatVector.fromArray(F, y, y1 + l3)).intoArray(y, y1 + l3);
        c20.fma(d0, FloatVector.fromArray(F, y, y2)).intoArray(y, y2); c21.fma(d1, FloatVector.fromArray(F, y, y2 + l1)).intoArray(y, y2 + l1); c22.fma(d2, FloatVector.fromArray(F, y, y2 + l2)).intoArray(y, y2 + l2); c23.fma(d3, FloatVector.fromArray(F, y, y2 + l3)).intoArray(y, y2 + l3);
        c30.fma(d0, FloatVector.fromArray(F, y, y3)).intoArray(y, y3); c31.fma(d1, FloatVector.fromArray(F, y, y3 + l1)).intoArray(y, y3 + l1); c32.fma(d2, FloatVector.fromArray(F, y, y3 + l2)).intoArray(y, y3 + l2); c33.fma(d3, FloatVector.fromArray(F, y, y3 + l3)).intoArray(y, y3 + l3);
        c40.fma(d0, FloatVector.fromArray(F, y, y4)).intoArray(y, y4); c41.fma(d1, FloatVector.fromArray(F, y, y4 + l1)).intoArray(y, y4 + l1); c42.fma(d2, FloatVector.fromArray(F, y, y4 + l2)).intoArray(y, y4 + l2); c43.fma(d3, FloatVector.fromArray(F, y, y4 + l3)).intoArray(y, y4 + l3);
        c50.fma(d0, FloatVector.fromArray(F, y, y5)).intoArray(y, y5); c51.fma(d1, FloatVector.fromArray(F, y, y5 + l1)).intoArray(y, y5 + l1); c52.fma(d2, FloatVector.fromArray(F, y, y5 + l2)).intoArray(y, y5 + l2); c53.fma(d3, FloatVector.fromArray(F, y, y5 + l3)).intoArray(y, y5 + l3);
    }

    /**
     * One token row times the decoded panel, as {@link #tile6}: the tokens a six-row tile leaves
     * over, and the decode step of weights without a kernel of their own (mapped, or F16 with
     * infinities or NaNs).
     */
    private static void tile1(float[] w, int w0, int depth, float[] x, int x0, float[] y, int y0, float[] scales) {
        int l1 = LANES, l2 = 2 * LANES, l3 = 3 * LANES;
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        for (int k = 0; k < depth; k++) {
            int wk = w0 + k * PANEL;
            FloatVector b = FloatVector.broadcast(F, x[x0 + k]);
            c0 = FloatVector.fromArray(F, w, wk).fma(b, c0);
            c1 = FloatVector.fromArray(F, w, wk + l1).fma(b, c1);
            c2 = FloatVector.fromArray(F, w, wk + l2).fma(b, c2);
            c3 = FloatVector.fromArray(F, w, wk + l3).fma(b, c3);
        }
        c0.fma(FloatVector.fromArray(F, scales, 0), FloatVector.fromArray(F, y, y0)).intoArray(y, y0);
        c1.fma(FloatVector.fromArray(F, scales, l1), FloatVector.fromArray(F, y, y0 + l1)).intoArray(y, y0 + l1);
        c2.fma(FloatVector.fromArray(F, scales, l2), FloatVector.fromArray(F, y, y0 + l2)).intoArray(y, y0 + l2);
        c3.fma(FloatVector.fromArray(F, scales, l3), FloatVector.fromArray(F, y, y0 + l3)).intoArray(y, y0 + l3);
    }
}

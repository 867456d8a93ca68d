package phiscope.engine.tensor;

import static phiscope.engine.tensor.VectorMath.F;
import static phiscope.engine.tensor.VectorMath.LANES;
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
 * <p>Every output {@code y[t][r]} is one chain of fused multiply-adds over the columns in order,
 * whichever tile computes it. So a token's result has the same bits whether it runs alone, in a
 * long prompt, packed with other texts, or on another thread.
 */
final class Gemm {

    /** Columns decoded at once: a {@code DEPTH x PANEL} float32 panel is 32 KB with 512-bit vectors. */
    static final int DEPTH = 128;
    /** Token rows of the main register tile. */
    static final int TOKENS = 6;

    private static final ThreadLocal<float[]> PANEL_BUFFER = ThreadLocal.withInitial(() -> new float[DEPTH * PANEL]);
    private static final ThreadLocal<float[]> ACCUMULATORS = ThreadLocal.withInitial(() -> new float[0]);

    private Gemm() {
    }

    static void multiply(WeightMatrix w, float[] x, int tokens, float[] y, int firstPanel, int endPanel) {
        int k = w.cols();
        int rows = w.rows();
        float[] panel = PANEL_BUFFER.get();
        float[] acc = accumulators(tokens * PANEL);
        for (int p = firstPanel; p < endPanel; p++) {
            Arrays.fill(acc, 0, tokens * PANEL, 0f);
            for (int k0 = 0; k0 < k; k0 += DEPTH) {
                int depth = Math.min(DEPTH, k - k0);
                w.decodePanel(p, k0, depth, panel);
                int t = 0;
                for (; t + TOKENS <= tokens; t += TOKENS) {
                    tile6(panel, depth, x, t * k + k0, k, acc, t * PANEL);
                }
                for (; t < tokens; t++) {
                    tile1(panel, depth, x, t * k + k0, acc, t * PANEL);
                }
            }
            // A last panel past the matrix's rows computed zero rows, which are not copied.
            int r0 = p * PANEL;
            int count = Math.min(PANEL, rows - r0);
            for (int t = 0; t < tokens; t++) {
                System.arraycopy(acc, t * PANEL, y, t * rows + r0, count);
            }
        }
    }

    /** This thread's accumulator buffer, at least {@code size} floats. */
    private static float[] accumulators(int size) {
        float[] buffer = ACCUMULATORS.get();
        if (buffer.length < size) {
            buffer = new float[size];
            ACCUMULATORS.set(buffer);
        }
        return buffer;
    }

    /**
     * Six token rows ({@code x} rows {@code xStride} apart) times the decoded panel {@code w},
     * into accumulator rows {@code PANEL} apart from {@code y0}.
     */
    private static void tile6(float[] w, int depth, float[] x, int x0, int xStride, float[] y, int y0) {
        int x1 = x0 + xStride, x2 = x1 + xStride, x3 = x2 + xStride, x4 = x3 + xStride, x5 = x4 + xStride;
        int y1 = y0 + PANEL, y2 = y1 + PANEL, y3 = y2 + PANEL, y4 = y3 + PANEL, y5 = y4 + PANEL;
        int l1 = LANES, l2 = 2 * LANES, l3 = 3 * LANES;
        FloatVector c00 = FloatVector.fromArray(F, y, y0), c01 = FloatVector.fromArray(F, y, y0 + l1), c02 = FloatVector.fromArray(F, y, y0 + l2), c03 = FloatVector.fromArray(F, y, y0 + l3);
        FloatVector c10 = FloatVector.fromArray(F, y, y1), c11 = FloatVector.fromArray(F, y, y1 + l1), c12 = FloatVector.fromArray(F, y, y1 + l2), c13 = FloatVector.fromArray(F, y, y1 + l3);
        FloatVector c20 = FloatVector.fromArray(F, y, y2), c21 = FloatVector.fromArray(F, y, y2 + l1), c22 = FloatVector.fromArray(F, y, y2 + l2), c23 = FloatVector.fromArray(F, y, y2 + l3);
        FloatVector c30 = FloatVector.fromArray(F, y, y3), c31 = FloatVector.fromArray(F, y, y3 + l1), c32 = FloatVector.fromArray(F, y, y3 + l2), c33 = FloatVector.fromArray(F, y, y3 + l3);
        FloatVector c40 = FloatVector.fromArray(F, y, y4), c41 = FloatVector.fromArray(F, y, y4 + l1), c42 = FloatVector.fromArray(F, y, y4 + l2), c43 = FloatVector.fromArray(F, y, y4 + l3);
        FloatVector c50 = FloatVector.fromArray(F, y, y5), c51 = FloatVector.fromArray(F, y, y5 + l1), c52 = FloatVector.fromArray(F, y, y5 + l2), c53 = FloatVector.fromArray(F, y, y5 + l3);
        for (int k = 0; k < depth; k++) {
            int wk = k * PANEL;
            FloatVector w0 = FloatVector.fromArray(F, w, wk);
            FloatVector w1 = FloatVector.fromArray(F, w, wk + l1);
            FloatVector w2 = FloatVector.fromArray(F, w, wk + l2);
            FloatVector w3 = FloatVector.fromArray(F, w, wk + l3);
            FloatVector b = FloatVector.broadcast(F, x[x0 + k]);
            c00 = w0.fma(b, c00); c01 = w1.fma(b, c01); c02 = w2.fma(b, c02); c03 = w3.fma(b, c03);
            b = FloatVector.broadcast(F, x[x1 + k]);
            c10 = w0.fma(b, c10); c11 = w1.fma(b, c11); c12 = w2.fma(b, c12); c13 = w3.fma(b, c13);
            b = FloatVector.broadcast(F, x[x2 + k]);
            c20 = w0.fma(b, c20); c21 = w1.fma(b, c21); c22 = w2.fma(b, c22); c23 = w3.fma(b, c23);
            b = FloatVector.broadcast(F, x[x3 + k]);
            c30 = w0.fma(b, c30); c31 = w1.fma(b, c31); c32 = w2.fma(b, c32); c33 = w3.fma(b, c33);
            b = FloatVector.broadcast(F, x[x4 + k]);
            c40 = w0.fma(b, c40); c41 = w1.fma(b, c41); c42 = w2.fma(b, c42); c43 = w3.fma(b, c43);
            b = FloatVector.broadcast(F, x[x5 + k]);
            c50 = w0.fma(b, c50); c51 = w1.fma(b, c51); c52 = w2.fma(b, c52); c53 = w3.fma(b, c53);
        }
        c00.intoArray(y, y0); c01.intoArray(y, y0 + l1); c02.intoArray(y, y0 + l2); c03.intoArray(y, y0 + l3);
        c10.intoArray(y, y1); c11.intoArray(y, y1 + l1); c12.intoArray(y, y1 + l2); c13.intoArray(y, y1 + l3);
        c20.intoArray(y, y2); c21.intoArray(y, y2 + l1); c22.intoArray(y, y2 + l2); c23.intoArray(y, y2 + l3);
        c30.intoArray(y, y3); c31.intoArray(y, y3 + l1); c32.intoArray(y, y3 + l2); c33.intoArray(y, y3 + l3);
        c40.intoArray(y, y4); c41.intoArray(y, y4 + l1); c42.intoArray(y, y4 + l2); c43.intoArray(y, y4 + l3);
        c50.intoArray(y, y5); c51.intoArray(y, y5 + l1); c52.intoArray(y, y5 + l2); c53.intoArray(y, y5 + l3);
    }

    /** One token row times the decoded panel: the decode step, and the tokens a six-row tile leaves over. */
    private static void tile1(float[] w, int depth, float[] x, int x0, float[] y, int y0) {
        int l1 = LANES, l2 = 2 * LANES, l3 = 3 * LANES;
        FloatVector c0 = FloatVector.fromArray(F, y, y0), c1 = FloatVector.fromArray(F, y, y0 + l1), c2 = FloatVector.fromArray(F, y, y0 + l2), c3 = FloatVector.fromArray(F, y, y0 + l3);
        for (int k = 0; k < depth; k++) {
            int wk = k * PANEL;
            FloatVector b = FloatVector.broadcast(F, x[x0 + k]);
            c0 = FloatVector.fromArray(F, w, wk).fma(b, c0);
            c1 = FloatVector.fromArray(F, w, wk + l1).fma(b, c1);
            c2 = FloatVector.fromArray(F, w, wk + l2).fma(b, c2);
            c3 = FloatVector.fromArray(F, w, wk + l3).fma(b, c3);
        }
        c0.intoArray(y, y0); c1.intoArray(y, y0 + l1); c2.intoArray(y, y0 + l2); c3.intoArray(y, y0 + l3);
    }
}

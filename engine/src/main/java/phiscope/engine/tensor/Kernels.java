package phiscope.engine.tensor;

import static phiscope.engine.tensor.VectorMath.F;
import static phiscope.engine.tensor.VectorMath.LANES;
import static phiscope.engine.tensor.VectorMath.sum;

import jdk.incubator.vector.FloatVector;

/**
 * Float32 dot-product tiles on heap arrays: each weight row is dotted with each token row.
 * Every (row, token) pair is accumulated in the same order in every tile shape (one vector
 * accumulator over k, a fixed lane fold, then the scalar tail), so a result never depends on
 * which tile computed it: a text's numbers do not depend on how many tokens share its pass.
 */
final class Kernels {

    private Kernels() {
    }

    /** Scalar tail of a dot product after the vector part, with fused multiply-adds. */
    static float tail(float s, float[] w, int wRow, float[] x, int xRow, int from, int k) {
        for (int i = from; i < k; i++) {
            s = Math.fma(w[wRow + i], x[xRow + i], s);
        }
        return s;
    }

    /** Four weight rows (starting at {@code w0}, {@code k} apart) times two token rows. */
    static void dot4x2(float[] w, int w0, float[] x, int x0, int x1, int k,
                       float[] y, int y0, int y1) {
        int w1 = w0 + k;
        int w2 = w1 + k;
        int w3 = w2 + k;
        FloatVector a00 = FloatVector.zero(F), a10 = FloatVector.zero(F), a20 = FloatVector.zero(F), a30 = FloatVector.zero(F);
        FloatVector a01 = FloatVector.zero(F), a11 = FloatVector.zero(F), a21 = FloatVector.zero(F), a31 = FloatVector.zero(F);
        int vec = k - k % LANES;
        for (int i = 0; i < vec; i += LANES) {
            FloatVector t0 = FloatVector.fromArray(F, x, x0 + i);
            FloatVector t1 = FloatVector.fromArray(F, x, x1 + i);
            FloatVector r0 = FloatVector.fromArray(F, w, w0 + i);
            a00 = r0.fma(t0, a00);
            a01 = r0.fma(t1, a01);
            FloatVector r1 = FloatVector.fromArray(F, w, w1 + i);
            a10 = r1.fma(t0, a10);
            a11 = r1.fma(t1, a11);
            FloatVector r2 = FloatVector.fromArray(F, w, w2 + i);
            a20 = r2.fma(t0, a20);
            a21 = r2.fma(t1, a21);
            FloatVector r3 = FloatVector.fromArray(F, w, w3 + i);
            a30 = r3.fma(t0, a30);
            a31 = r3.fma(t1, a31);
        }
        y[y0] = tail(sum(a00), w, w0, x, x0, vec, k);
        y[y0 + 1] = tail(sum(a10), w, w1, x, x0, vec, k);
        y[y0 + 2] = tail(sum(a20), w, w2, x, x0, vec, k);
        y[y0 + 3] = tail(sum(a30), w, w3, x, x0, vec, k);
        y[y1] = tail(sum(a01), w, w0, x, x1, vec, k);
        y[y1 + 1] = tail(sum(a11), w, w1, x, x1, vec, k);
        y[y1 + 2] = tail(sum(a21), w, w2, x, x1, vec, k);
        y[y1 + 3] = tail(sum(a31), w, w3, x, x1, vec, k);
    }

    /** Four weight rows times one token row: four independent accumulation chains for the decode step. */
    static void dot4x1(float[] w, int w0, float[] x, int x0, int k, float[] y, int y0) {
        int w1 = w0 + k;
        int w2 = w1 + k;
        int w3 = w2 + k;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int vec = k - k % LANES;
        for (int i = 0; i < vec; i += LANES) {
            FloatVector t = FloatVector.fromArray(F, x, x0 + i);
            a0 = FloatVector.fromArray(F, w, w0 + i).fma(t, a0);
            a1 = FloatVector.fromArray(F, w, w1 + i).fma(t, a1);
            a2 = FloatVector.fromArray(F, w, w2 + i).fma(t, a2);
            a3 = FloatVector.fromArray(F, w, w3 + i).fma(t, a3);
        }
        y[y0] = tail(sum(a0), w, w0, x, x0, vec, k);
        y[y0 + 1] = tail(sum(a1), w, w1, x, x0, vec, k);
        y[y0 + 2] = tail(sum(a2), w, w2, x, x0, vec, k);
        y[y0 + 3] = tail(sum(a3), w, w3, x, x0, vec, k);
    }

    /** One weight row times one token row. */
    static float dot(float[] w, int w0, float[] x, int x0, int k) {
        FloatVector a = FloatVector.zero(F);
        int vec = k - k % LANES;
        for (int i = 0; i < vec; i += LANES) {
            a = FloatVector.fromArray(F, w, w0 + i).fma(FloatVector.fromArray(F, x, x0 + i), a);
        }
        return tail(sum(a), w, w0, x, x0, vec, k);
    }
}

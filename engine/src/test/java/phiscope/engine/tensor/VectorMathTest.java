package phiscope.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class VectorMathTest {

    @Test
    void expIsWithinTwoUlpsAndVectorEqualsScalar() {
        SplittableRandom random = new SplittableRandom(1);
        float[] x = new float[VectorMath.LANES * 4096];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextDouble() * 170 - 87);
        }
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i += VectorMath.LANES) {
            VectorMath.exp(FloatVector.fromArray(VectorMath.F, x, i)).intoArray(out, i);
        }
        for (int i = 0; i < x.length; i++) {
            float scalar = VectorMath.exp(x[i]);
            assertEquals(Float.floatToRawIntBits(scalar), Float.floatToRawIntBits(out[i]), "x = " + x[i]);
            double exact = Math.exp(x[i]);
            assertTrue(Math.abs(scalar - exact) <= 2 * Math.ulp((float) exact), "exp(" + x[i] + ") = " + scalar + ", exact " + exact);
        }
    }

    @Test
    void expEdgeCases() {
        assertEquals(0f, VectorMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(0f, VectorMath.exp(-200f));
        assertEquals(1f, VectorMath.exp(0f));
        assertEquals(Float.POSITIVE_INFINITY, VectorMath.exp(100f));
        assertTrue(Float.isNaN(VectorMath.exp(Float.NaN)));
        float[] v = {Float.NEGATIVE_INFINITY, Float.NaN, 100f, 0f, -1f, 1f, -88f, 88f};
        float[] lanes = new float[VectorMath.LANES];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = v[i % v.length];
        }
        float[] out = new float[lanes.length];
        VectorMath.exp(FloatVector.fromArray(VectorMath.F, lanes, 0)).intoArray(out, 0);
        for (int i = 0; i < lanes.length; i++) {
            assertEquals(Float.floatToRawIntBits(VectorMath.exp(lanes[i])), Float.floatToRawIntBits(out[i]), "x = " + lanes[i]);
        }
    }

    @Test
    void geluNewMatchesTheTanhFormula() {
        for (float x = -12f; x <= 12f; x += 0.01f) {
            double u = Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x);
            double expected = 0.5 * x * (1 + Math.tanh(u));
            assertEquals(expected, VectorMath.gelu(x), 2e-6 * Math.max(1, Math.abs(expected)), "gelu_new(" + x + ")");
        }
    }

    @Test
    void laneSumIsExactForIntegers() {
        float[] values = new float[VectorMath.LANES];
        float expected = 0;
        for (int i = 0; i < values.length; i++) {
            values[i] = i + 1;
            expected += i + 1;
        }
        assertEquals(expected, VectorMath.sum(FloatVector.fromArray(VectorMath.F, values, 0)));
    }
}

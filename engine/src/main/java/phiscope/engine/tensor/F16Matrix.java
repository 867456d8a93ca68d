package phiscope.engine.tensor;

import static phiscope.engine.tensor.VectorMath.F;
import static phiscope.engine.tensor.VectorMath.LANES;
import static phiscope.engine.tensor.VectorMath.sum;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/** IEEE half-precision weights, decoded to float32 in registers (the Phi-2 checkpoint's dtype). */
public final class F16Matrix extends WeightMatrix {

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    F16Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data);
    }

    @Override
    public DType dtype() {
        return DType.F16;
    }

    private float element(long index) {
        return Float.float16ToFloat(data.get(HALF, index * 2));
    }

    @Override
    public void decodeRows(int first, int count, float[] dst, int offset) {
        int vec = cols - cols % LANES;
        for (int r = 0; r < count; r++) {
            long base = (long) (first + r) * cols;
            int out = offset + r * cols;
            int i = 0;
            for (; i < vec; i += LANES) {
                Float16.decodeF16(data, (base + i) * 2).intoArray(dst, out + i);
            }
            for (; i < cols; i++) {
                dst[out + i] = element(base + i);
            }
        }
    }

    @Override
    protected void multiplyOneToken(float[] x, int xOffset, float[] y, int yOffset, int rowStart, int rowEnd) {
        int vec = cols - cols % LANES;
        int r = rowStart;
        for (; r + 4 <= rowEnd; r += 4) {
            long b0 = (long) r * cols * 2;
            long b1 = b0 + cols * 2L;
            long b2 = b1 + cols * 2L;
            long b3 = b2 + cols * 2L;
            FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
            for (int i = 0; i < vec; i += LANES) {
                FloatVector xv = FloatVector.fromArray(F, x, xOffset + i);
                long at = 2L * i;
                a0 = Float16.decodeF16(data, b0 + at).fma(xv, a0);
                a1 = Float16.decodeF16(data, b1 + at).fma(xv, a1);
                a2 = Float16.decodeF16(data, b2 + at).fma(xv, a2);
                a3 = Float16.decodeF16(data, b3 + at).fma(xv, a3);
            }
            y[yOffset + r] = tail(sum(a0), r, x, xOffset, vec);
            y[yOffset + r + 1] = tail(sum(a1), r + 1, x, xOffset, vec);
            y[yOffset + r + 2] = tail(sum(a2), r + 2, x, xOffset, vec);
            y[yOffset + r + 3] = tail(sum(a3), r + 3, x, xOffset, vec);
        }
        for (; r < rowEnd; r++) {
            long b = (long) r * cols * 2;
            FloatVector a = FloatVector.zero(F);
            for (int i = 0; i < vec; i += LANES) {
                a = Float16.decodeF16(data, b + 2L * i).fma(FloatVector.fromArray(F, x, xOffset + i), a);
            }
            y[yOffset + r] = tail(sum(a), r, x, xOffset, vec);
        }
    }

    private float tail(float s, int row, float[] x, int xOffset, int from) {
        long base = (long) row * cols;
        for (int i = from; i < cols; i++) {
            s = Math.fma(element(base + i), x[xOffset + i], s);
        }
        return s;
    }
}

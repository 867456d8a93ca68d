package phiscope.engine.tensor;

import static phiscope.engine.tensor.VectorMath.F;
import static phiscope.engine.tensor.VectorMath.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/** bfloat16 weights, widened to float32 in registers. */
public final class BF16Matrix extends WeightMatrix {

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    BF16Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data);
    }

    @Override
    public DType dtype() {
        return DType.BF16;
    }

    private float element(long index) {
        return Float16.bfloat16ToFloat(data.get(HALF, index * 2));
    }

    @Override
    public void decodeRows(int first, int count, float[] dst, int offset) {
        int vec = cols - cols % LANES;
        for (int r = 0; r < count; r++) {
            long base = (long) (first + r) * cols;
            int out = offset + r * cols;
            int i = 0;
            for (; i < vec; i += LANES) {
                Float16.decodeBF16(data, (base + i) * 2).intoArray(dst, out + i);
            }
            for (; i < cols; i++) {
                dst[out + i] = element(base + i);
            }
        }
    }
}

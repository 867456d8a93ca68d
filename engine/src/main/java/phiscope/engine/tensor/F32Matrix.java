package phiscope.engine.tensor;

import static phiscope.engine.tensor.VectorMath.F;
import static phiscope.engine.tensor.VectorMath.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/** float32 weights, loaded straight from the (mapped) segment. */
public final class F32Matrix extends WeightMatrix {

    private static final ValueLayout.OfFloat SINGLE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    F32Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data);
    }

    @Override
    public DType dtype() {
        return DType.F32;
    }

    private float element(long index) {
        return data.get(SINGLE, index * 4);
    }

    @Override
    public void decodeRows(int first, int count, float[] dst, int offset) {
        int vec = cols - cols % LANES;
        for (int r = 0; r < count; r++) {
            long base = (long) (first + r) * cols;
            int out = offset + r * cols;
            int i = 0;
            for (; i < vec; i += LANES) {
                FloatVector.fromMemorySegment(F, data, (base + i) * 4, ByteOrder.LITTLE_ENDIAN).intoArray(dst, out + i);
            }
            for (; i < cols; i++) {
                dst[out + i] = element(base + i);
            }
        }
    }
}

package phiscope.engine.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import phiscope.engine.tensor.DType;
import phiscope.engine.tensor.Float16;

/** A named tensor in its file dtype, backed by a (usually mapped) memory segment; little-endian as safetensors stores it. */
public record Tensor(String name, DType dtype, int[] shape, MemorySegment data, Path file) {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public long elementCount() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    public boolean hasShape(int... expected) {
        return Arrays.equals(shape, expected);
    }

    /** Element {@code i} (flat index) as a float; exact for every floating dtype. */
    public float getFloat(long i) {
        return switch (dtype) {
            case F32 -> data.get(F32, i * 4);
            case F16 -> Float16.toFloat(data.get(I16, i * 2));
            case BF16 -> Float16.bfloat16ToFloat(data.get(I16, i * 2));
            case F64 -> (float) Double.longBitsToDouble(data.get(I64, i * 8));
            default -> throw new ModelFormatException(file, "tensor '" + name + "' is " + dtype + ", not a floating type");
        };
    }

    /** A small tensor (biases, norms, reference activations) widened to float32 on the heap. */
    public float[] toFloatArray() {
        if (elementCount() > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException(file, "tensor '" + name + "' is too large to copy to the heap");
        }
        float[] out = new float[(int) elementCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = getFloat(i);
        }
        return out;
    }

    /** Integer tensors (token ids) as ints. */
    public int[] toIntArray() {
        int[] out = new int[Math.toIntExact(elementCount())];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (dtype) {
                case I64 -> Math.toIntExact(data.get(I64, i * 8L));
                case I32 -> data.get(I32, i * 4L);
                default -> throw new ModelFormatException(file, "tensor '" + name + "' is " + dtype + ", not an integer type");
            };
        }
        return out;
    }
}

package phiscope.engine.io;

import phiscope.engine.tensor.DType;

/** One tensor's header entry in a safetensors file: its dtype, shape and byte range in the data section. */
public record TensorEntry(String name, DType dtype, int[] shape, long begin, long end) {

    public long elementCount() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    public long byteSize() {
        return end - begin;
    }
}

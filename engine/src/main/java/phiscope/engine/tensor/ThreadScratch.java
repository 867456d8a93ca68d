package phiscope.engine.tensor;

/**
 * A float buffer per thread that grows to the largest size asked of it and is then reused, so
 * that kernels run on the worker threads allocate nothing per call once warm.
 */
public final class ThreadScratch {

    private final ThreadLocal<float[]> buffers = ThreadLocal.withInitial(() -> new float[0]);

    /** This thread's buffer, at least {@code size} floats long; it holds whatever the last use left. */
    public float[] atLeast(int size) {
        float[] buffer = buffers.get();
        if (buffer.length < size) {
            buffer = new float[size];
            buffers.set(buffer);
        }
        return buffer;
    }
}

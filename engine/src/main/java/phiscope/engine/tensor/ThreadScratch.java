package phiscope.engine.tensor;

import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * A buffer per thread that grows to the largest size asked of it and is then reused, so that
 * kernels run on the worker threads allocate nothing per call once warm.
 */
public final class ThreadScratch<A> {

    private final IntFunction<A> allocate;
    private final ToIntFunction<A> length;
    private final ThreadLocal<A> buffers;

    private ThreadScratch(IntFunction<A> allocate, ToIntFunction<A> length) {
        this.allocate = allocate;
        this.length = length;
        this.buffers = ThreadLocal.withInitial(() -> allocate.apply(0));
    }

    public static ThreadScratch<float[]> floats() {
        return new ThreadScratch<>(float[]::new, buffer -> buffer.length);
    }

    public static ThreadScratch<short[]> shorts() {
        return new ThreadScratch<>(short[]::new, buffer -> buffer.length);
    }

    /** This thread's buffer, at least {@code size} elements long; it holds whatever the last use left. */
    public A atLeast(int size) {
        A buffer = buffers.get();
        if (length.applyAsInt(buffer) < size) {
            buffer = allocate.apply(size);
            buffers.set(buffer);
        }
        return buffer;
    }
}

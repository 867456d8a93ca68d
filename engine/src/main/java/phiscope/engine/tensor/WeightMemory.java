package phiscope.engine.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Anonymous memory for weights copied out of their files. On Linux each block is mapped with
 * {@code mmap} and advised {@code MADV_HUGEPAGE} before it is touched: streaming gigabytes from
 * 2 MB pages keeps full memory bandwidth where 4 KB pages (and file mappings) lose most of it.
 * Elsewhere it falls back to plain arena memory. Closing frees every block.
 */
public final class WeightMemory implements AutoCloseable {

    private static final long HUGE_PAGE = 2L << 20;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_RANDOM = 1;
    private static final int MADV_HUGEPAGE = 14;
    private static final long PAGE = 4096;
    private static final Optional<Native> NATIVE = Native.find();

    /** The libc calls, when this is Linux and they can be bound. */
    private record Native(MethodHandle mmap, MethodHandle madvise, MethodHandle munmap) {
        static Optional<Native> find() {
            if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
                return Optional.empty();
            }
            try {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                return Optional.of(new Native(
                        linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG)),
                        linker.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT)),
                        linker.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG))));
            } catch (RuntimeException | LinkageError e) {
                return Optional.empty();
            }
        }
    }

    private final Arena arena = Arena.ofShared();
    private long allocated;

    /** A zeroed block of {@code bytes}, 2 MB aligned where huge pages are used. */
    public synchronized MemorySegment allocate(long bytes) {
        allocated += bytes;
        if (NATIVE.isEmpty()) {
            return arena.allocate(bytes, 64);
        }
        Native n = NATIVE.get();
        long length = bytes + HUGE_PAGE;
        try {
            MemorySegment mapped = (MemorySegment) n.mmap().invokeExact(MemorySegment.NULL, length, PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS, -1, 0L);
            if (mapped.address() == -1L) {
                throw new OutOfMemoryError("cannot map " + length + " bytes of memory for weights");
            }
            long aligned = (mapped.address() + HUGE_PAGE - 1) & -HUGE_PAGE;
            // Fails only where the kernel has no transparent huge pages; 4 KB pages work there too.
            int ignored = (int) n.madvise().invokeExact(MemorySegment.ofAddress(aligned), bytes, MADV_HUGEPAGE);
            MemorySegment whole = mapped.reinterpret(length, arena, m -> unmap(n, m, length));
            return whole.asSlice(aligned - mapped.address(), bytes);
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("mmap failed", t);
        }
    }

    /**
     * Tells the kernel that a mapped file range is read a few rows here and there (an embedding
     * table): no read-ahead around each fault, so a prompt pages in the rows it uses, not the
     * neighbourhood of each. A hint: where it cannot be given, nothing changes.
     */
    public static void adviseRandomAccess(MemorySegment mapped) {
        if (NATIVE.isEmpty() || !mapped.isNative() || mapped.byteSize() == 0) {
            return;
        }
        long start = mapped.address() & -PAGE;
        long length = mapped.address() + mapped.byteSize() - start;
        try {
            int ignored = (int) NATIVE.get().madvise().invokeExact(MemorySegment.ofAddress(start), length, MADV_RANDOM);
        } catch (Throwable t) {
            throw new IllegalStateException("madvise failed", t);
        }
    }

    private static void unmap(Native n, MemorySegment mapping, long length) {
        try {
            int ignored = (int) n.munmap().invokeExact(mapping, length);
        } catch (Throwable t) {
            throw new IllegalStateException("munmap failed", t);
        }
    }

    /** Bytes handed out so far. */
    public synchronized long allocated() {
        return allocated;
    }

    @Override
    public void close() {
        arena.close();
    }
}

package phiscope.engine.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes GGUF version 3, the single-file format of llama.cpp and the tools built on it. The
 * layout, all little-endian: {@code "GGUF"}, version (u32), tensor count (u64), key count
 * (u64); the keys, each a string name, a u32 value type and the value; one info per tensor (its
 * name, u32 dimension count, the u64 dimensions innermost first, u32 element type, u64 offset in
 * the data section); zeros up to a multiple of {@link #ALIGNMENT}; then each tensor's bytes,
 * padded to the alignment, at the offset its info states. Strings are a u64 byte count and
 * UTF-8 without a terminator.
 *
 * <p>Keys and tensors are collected first; {@link #write} then streams the file, asking each
 * tensor for its bytes only when it reaches it, so one converted tensor is in memory at a time.
 * The file appears under its name only when complete: a failed write leaves nothing behind.
 */
public final class GgufWriter {

    /** llama.cpp's alignment when a file has no {@code general.alignment} key, as this writer's files have not. */
    public static final int ALIGNMENT = 32;
    private static final int VERSION = 3;
    /** llama.cpp's GGML_MAX_NAME, terminator included. */
    private static final int MAX_TENSOR_NAME_BYTES = 63;
    private static final long NATIVE_SLICE = 1L << 30;

    /** Element types of tensors, with ggml's numbering. */
    public enum TensorType {
        F32(0, 4), F16(1, 2);

        final int code;
        final int bytes;

        TensorType(int code, int bytes) {
            this.code = code;
            this.bytes = bytes;
        }
    }

    // Value types of keys, with GGUF's numbering.
    private static final int UINT32 = 4;
    private static final int INT32 = 5;
    private static final int FLOAT32 = 6;
    private static final int BOOL = 7;
    private static final int STRING = 8;
    private static final int ARRAY = 9;

    /** A tensor's little-endian bytes, made (or mapped) when the writer reaches the tensor, in an arena closed after it. */
    @FunctionalInterface
    public interface TensorBytes {
        MemorySegment in(Arena arena);
    }

    /** @param dims the dimensions innermost first, as GGUF stores them */
    private record PendingTensor(String name, TensorType type, long[] dims, TensorBytes bytes) {

        long byteSize() {
            return Arrays.stream(dims).reduce(type.bytes, Math::multiplyExact);
        }
    }

    private final LittleEndianBytes keys = new LittleEndianBytes();
    private final Set<String> keyNames = new HashSet<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private final Set<String> tensorNames = new HashSet<>();

    public GgufWriter putString(String key, String value) {
        key(key, STRING).string(value);
        return this;
    }

    public GgufWriter putUInt32(String key, long value) {
        if (value < 0 || value > 0xffff_ffffL) {
            throw new IllegalArgumentException("GGUF key " + key + ": " + value + " does not fit an unsigned 32-bit integer");
        }
        key(key, UINT32).int32((int) value);
        return this;
    }

    public GgufWriter putFloat32(String key, float value) {
        key(key, FLOAT32).float32(value);
        return this;
    }

    public GgufWriter putBool(String key, boolean value) {
        key(key, BOOL).int8(value ? 1 : 0);
        return this;
    }

    public GgufWriter putStrings(String key, List<String> values) {
        key(key, ARRAY).int32(STRING).int64(values.size());
        values.forEach(keys::string);
        return this;
    }

    public GgufWriter putInt32s(String key, int[] values) {
        key(key, ARRAY).int32(INT32).int64(values.length);
        for (int v : values) {
            keys.int32(v);
        }
        return this;
    }

    private LittleEndianBytes key(String key, int type) {
        if (!keyNames.add(key)) {
            throw new IllegalArgumentException("GGUF key " + key + " is set twice");
        }
        return keys.string(key).int32(type);
    }

    /**
     * Adds a tensor of row-major {@code shape} (outermost first, as torch and safetensors give
     * it); the file stores the dimensions the other way round, innermost first.
     */
    public GgufWriter addTensor(String name, TensorType type, int[] shape, TensorBytes bytes) {
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_TENSOR_NAME_BYTES) {
            throw new IllegalArgumentException("GGUF tensor name '" + name + "' is longer than llama.cpp's "
                    + MAX_TENSOR_NAME_BYTES + " bytes");
        }
        if (!tensorNames.add(name)) {
            throw new IllegalArgumentException("GGUF tensor '" + name + "' is added twice");
        }
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[shape.length - 1 - i];
        }
        tensors.add(new PendingTensor(name, type, dims, bytes));
        return this;
    }

    /**
     * Writes the file. It is written beside {@code file} under a temporary name and moved into
     * place when complete; on any failure the temporary file is deleted and {@code file}, if it
     * existed, is left as it was.
     *
     * @throws UncheckedIOException saying which path cannot be written and why
     */
    public void write(Path file) {
        AtomicWrite.replace(file, partial -> {
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeTo(channel);
                channel.force(true);
            }
        });
    }

    private void writeTo(FileChannel channel) throws IOException {
        LittleEndianBytes head = new LittleEndianBytes();
        head.raw("GGUF".getBytes(StandardCharsets.US_ASCII)).int32(VERSION).int64(tensors.size()).int64(keyNames.size());
        head.raw(keys.toArray());
        long offset = 0;
        for (PendingTensor t : tensors) {
            head.string(t.name()).int32(t.dims().length);
            for (long d : t.dims()) {
                head.int64(d);
            }
            head.int32(t.type().code).int64(offset);
            offset += padded(t.byteSize());
        }
        byte[] header = head.toArray();
        writeFully(channel, ByteBuffer.wrap(header));
        writePadding(channel, header.length);
        for (PendingTensor t : tensors) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment bytes = t.bytes().in(arena);
                if (bytes.byteSize() != t.byteSize()) {
                    throw new IllegalStateException("tensor '" + t.name() + "' gave " + bytes.byteSize() + " bytes for "
                            + t.type() + " " + Arrays.toString(t.dims()) + " = " + t.byteSize());
                }
                writeSegment(channel, bytes);
            }
            writePadding(channel, t.byteSize());
        }
    }

    /**
     * A native (mapped or allocated) segment is written as it is, in slices a ByteBuffer can view;
     * a heap one, such as a float[]'s, through a buffer.
     */
    private static void writeSegment(FileChannel channel, MemorySegment bytes) throws IOException {
        if (bytes.isNative()) {
            for (long at = 0; at < bytes.byteSize(); at += NATIVE_SLICE) {
                writeFully(channel, bytes.asSlice(at, Math.min(NATIVE_SLICE, bytes.byteSize() - at)).asByteBuffer());
            }
            return;
        }
        ByteBuffer chunk = ByteBuffer.allocateDirect((int) Math.min(bytes.byteSize(), 1 << 20));
        MemorySegment staging = MemorySegment.ofBuffer(chunk);
        for (long at = 0; at < bytes.byteSize(); at += chunk.capacity()) {
            long n = Math.min(chunk.capacity(), bytes.byteSize() - at);
            MemorySegment.copy(bytes, at, staging, 0, n);
            writeFully(channel, chunk.clear().limit((int) n));
        }
    }

    private static long padded(long size) {
        return (size + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static void writePadding(FileChannel channel, long size) throws IOException {
        writeFully(channel, ByteBuffer.allocate((int) (padded(size) - size)));
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** A growable little-endian byte buffer for the header. */
    private static final class LittleEndianBytes {
        private ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        private ByteBuffer room(int bytes) {
            if (buffer.remaining() < bytes) {
                ByteBuffer larger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + bytes))
                        .order(ByteOrder.LITTLE_ENDIAN);
                larger.put(buffer.flip());
                buffer = larger;
            }
            return buffer;
        }

        LittleEndianBytes int8(int value) {
            room(1).put((byte) value);
            return this;
        }

        LittleEndianBytes int32(int value) {
            room(4).putInt(value);
            return this;
        }

        LittleEndianBytes int64(long value) {
            room(8).putLong(value);
            return this;
        }

        LittleEndianBytes float32(float value) {
            room(4).putFloat(value);
            return this;
        }

        LittleEndianBytes raw(byte[] bytes) {
            room(bytes.length).put(bytes);
            return this;
        }

        LittleEndianBytes string(String value) {
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            return int64(utf8.length).raw(utf8);
        }

        byte[] toArray() {
            return Arrays.copyOf(buffer.array(), buffer.position());
        }
    }
}

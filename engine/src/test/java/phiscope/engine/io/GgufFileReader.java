package phiscope.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF v3 reader for tests, written from the format's description (ggml's docs/gguf.md and
 * llama.cpp's gguf.cpp) and sharing nothing with {@link GgufWriter}: it reads the whole file and
 * checks what llama.cpp checks on load — magic, version, no duplicate keys or tensor names,
 * tensor offsets packed in order at multiples of the alignment, data inside the file.
 */
public record GgufFileReader(int version, Map<String, Value> keys, List<TensorInfo> tensors, long dataStart, ByteBuffer file) {

    public static final int UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7,
            STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12;
    public static final int GGML_F32 = 0, GGML_F16 = 1;
    public static final int DEFAULT_ALIGNMENT = 32;

    /** A key's value: {@code type} as stored; for arrays {@code elementType} and a List of the elements. */
    public record Value(int type, int elementType, Object value) {
    }

    /** @param dims as stored, innermost first */
    public record TensorInfo(String name, long[] dims, int type, long offset) {

        public long byteSize() {
            long n = type == GGML_F32 ? 4 : type == GGML_F16 ? 2 : -1;
            if (n < 0) {
                throw new IllegalStateException("unexpected ggml type " + type + " of " + name);
            }
            for (long d : dims) {
                n *= d;
            }
            return n;
        }
    }

    public static GgufFileReader read(Path path) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[4];
        in.get(magic);
        if (!new String(magic, StandardCharsets.US_ASCII).equals("GGUF")) {
            throw new IllegalStateException("bad magic");
        }
        int version = in.getInt();
        long tensorCount = in.getLong();
        long keyCount = in.getLong();
        Map<String, Value> keys = new LinkedHashMap<>();
        for (long i = 0; i < keyCount; i++) {
            String key = string(in);
            int type = in.getInt();
            Value value;
            if (type == ARRAY) {
                int elementType = in.getInt();
                long n = in.getLong();
                List<Object> elements = new ArrayList<>();
                for (long j = 0; j < n; j++) {
                    elements.add(scalar(in, elementType));
                }
                value = new Value(ARRAY, elementType, elements);
            } else {
                value = new Value(type, -1, scalar(in, type));
            }
            if (keys.put(key, value) != null) {
                throw new IllegalStateException("duplicate key " + key);
            }
        }
        Value alignmentKey = keys.get("general.alignment");
        long alignment = alignmentKey == null ? DEFAULT_ALIGNMENT : ((Number) alignmentKey.value()).longValue();
        List<TensorInfo> tensors = new ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = string(in);
            int dimCount = in.getInt();
            long[] dims = new long[dimCount];
            for (int j = 0; j < dimCount; j++) {
                dims[j] = in.getLong();
            }
            int type = in.getInt();
            long offset = in.getLong();
            if (tensors.stream().anyMatch(t -> t.name().equals(name))) {
                throw new IllegalStateException("duplicate tensor " + name);
            }
            tensors.add(new TensorInfo(name, dims, type, offset));
        }
        long dataStart = (in.position() + alignment - 1) / alignment * alignment;
        for (long at = in.position(); at < dataStart; at++) {
            if (in.get((int) at) != 0) {
                throw new IllegalStateException("non-zero padding before the data section at byte " + at);
            }
        }
        long expectedOffset = 0;
        for (TensorInfo t : tensors) {
            if (t.offset() != expectedOffset) {
                throw new IllegalStateException(t.name() + " at offset " + t.offset() + ", llama.cpp expects " + expectedOffset);
            }
            expectedOffset += (t.byteSize() + alignment - 1) / alignment * alignment;
        }
        if (dataStart + expectedOffset > in.capacity()) {
            throw new IllegalStateException("tensor data runs past the end of the file");
        }
        return new GgufFileReader(version, keys, tensors, dataStart, in);
    }

    public TensorInfo tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no tensor " + name));
    }

    /** The tensor's bytes. */
    public byte[] bytes(TensorInfo t) {
        byte[] out = new byte[Math.toIntExact(t.byteSize())];
        file.get(Math.toIntExact(dataStart + t.offset()), out);
        return out;
    }

    private static Object scalar(ByteBuffer in, int type) {
        return switch (type) {
            case UINT8, INT8 -> in.get();
            case UINT16, INT16 -> in.getShort();
            case UINT32, INT32 -> in.getInt();
            case FLOAT32 -> in.getFloat();
            case BOOL -> {
                byte b = in.get();
                if (b != 0 && b != 1) {
                    throw new IllegalStateException("bool byte " + b);
                }
                yield b == 1;
            }
            case STRING -> string(in);
            case UINT64, INT64 -> in.getLong();
            case FLOAT64 -> in.getDouble();
            default -> throw new IllegalStateException("unknown value type " + type);
        };
    }

    private static String string(ByteBuffer in) {
        byte[] bytes = new byte[Math.toIntExact(in.getLong())];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

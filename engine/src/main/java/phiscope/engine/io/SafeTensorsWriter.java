package phiscope.engine.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import phiscope.engine.tensor.DType;
import phiscope.engine.tensor.Float16;

/**
 * Writes safetensors files as the reference implementation does (header padded with spaces to a
 * multiple of 8, tensors packed in order), through a mapping so multi-gigabyte files need no
 * heap. Tensors may be filled from several threads. The file appears under its name only when
 * complete; a failed write leaves nothing behind.
 */
public final class SafeTensorsWriter {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** A tensor to write: {@code fill} writes its little-endian bytes into the segment it is given. */
    public record Entry(String name, DType dtype, int[] shape, Consumer<MemorySegment> fill) {

        public long byteSize() {
            long n = dtype.bytes();
            for (int d : shape) {
                n *= d;
            }
            return n;
        }

        public static Entry floats(String name, int[] shape, float[] values) {
            return new Entry(name, DType.F32, shape, segment -> {
                for (int i = 0; i < values.length; i++) {
                    segment.set(F32, 4L * i, values[i]);
                }
            });
        }

        public static Entry halves(String name, int[] shape, float[] values) {
            return new Entry(name, DType.F16, shape, segment -> {
                for (int i = 0; i < values.length; i++) {
                    segment.set(I16, 2L * i, Float16.fromFloat(values[i]));
                }
            });
        }
    }

    private SafeTensorsWriter() {
    }

    public static void write(Path file, Map<String, String> metadata, List<Entry> entries) {
        ObjectMapper json = EngineJson.MAPPER;
        ObjectNode header = json.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Entry entry : entries) {
            ObjectNode node = header.putObject(entry.name());
            node.put("dtype", entry.dtype().name());
            var shape = node.putArray("shape");
            for (int d : entry.shape()) {
                shape.add(d);
            }
            node.putArray("data_offsets").add(offset).add(offset + entry.byteSize());
            offset += entry.byteSize();
        }
        byte[] text;
        try {
            text = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int padded = (text.length + 7) / 8 * 8;
        long total = 8 + padded + offset;
        AtomicWrite.replace(file, partial -> {
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.READ, StandardOpenOption.WRITE);
                 Arena arena = Arena.ofShared()) {
                MemorySegment out = channel.map(FileChannel.MapMode.READ_WRITE, 0, total, arena);
                out.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, padded);
                MemorySegment.copy(text, 0, out, ValueLayout.JAVA_BYTE, 8, text.length);
                out.asSlice(8 + text.length, padded - text.length).fill((byte) ' ');
                long at = 8 + padded;
                for (Entry entry : entries) {
                    entry.fill().accept(out.asSlice(at, entry.byteSize()));
                    at += entry.byteSize();
                }
                out.force();
            }
        });
    }
}

package phiscope.engine.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import phiscope.engine.tensor.DType;

/**
 * A safetensors file mapped into memory once; tensors are zero-copy slices of the mapping.
 * The header is validated completely before any tensor is handed out, so a truncated or lying
 * file fails here with its name and the problem rather than deep inside a kernel.
 */
public final class SafeTensorsFile {

    /** Hugging Face's reader refuses headers above 100 MB; so do we, before allocating anything. */
    private static final long MAX_HEADER_BYTES = 100L << 20;
    private static final ObjectMapper JSON = EngineJson.MAPPER;

    private final Path path;
    private final String header;
    private final Map<String, TensorEntry> entries;
    private final Map<String, String> metadata;
    private final MemorySegment data;

    private SafeTensorsFile(Path path, String header, Map<String, TensorEntry> entries, Map<String, String> metadata,
                            MemorySegment data) {
        this.path = path;
        this.header = header;
        this.entries = entries;
        this.metadata = metadata;
        this.data = data;
    }

    /** Maps {@code path} read-only into {@code arena}; the mapping lives as long as the arena. */
    public static SafeTensorsFile open(Path path, Arena arena) {
        MemorySegment file;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(path, "file not found");
        } catch (IOException e) {
            throw new ModelFormatException(path, "cannot read: " + e.getMessage(), e);
        }
        long size = file.byteSize();
        if (size < 8) {
            throw new ModelFormatException(path, "truncated: " + size + " bytes, shorter than the 8-byte header length");
        }
        long headerLength = file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
            throw new ModelFormatException(path, "header length " + Long.toUnsignedString(headerLength)
                    + " is not plausible (expected 2.." + MAX_HEADER_BYTES + " bytes); not a safetensors file?");
        }
        if (8 + headerLength > size) {
            throw new ModelFormatException(path, "header length " + headerLength + " runs past the end of the file ("
                    + size + " bytes): the file is truncated");
        }
        String header = new String(file.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        MemorySegment data = file.asSlice(8 + headerLength);
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, TensorEntry> entries = parseHeader(path, header, data.byteSize(), metadata);
        return new SafeTensorsFile(path, header, entries, metadata, data);
    }

    private static Map<String, TensorEntry> parseHeader(Path path, String header, long dataSize, Map<String, String> metadata) {
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (JacksonException e) {
            throw new ModelFormatException(path, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(path, "header is not a JSON object");
        }
        Map<String, TensorEntry> entries = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode node = field.getValue();
            if (name.equals("__metadata__")) {
                node.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            entries.put(name, parseEntry(path, name, node, dataSize));
        }
        checkNoOverlap(path, entries.values());
        return Collections.unmodifiableMap(entries);
    }

    private static TensorEntry parseEntry(Path path, String name, JsonNode node, long dataSize) {
        String where = "tensor '" + name + "'";
        if (!node.isObject() || !node.has("dtype") || !node.has("shape") || !node.has("data_offsets")) {
            throw new ModelFormatException(path, where + " needs dtype, shape and data_offsets");
        }
        String dtypeName = node.get("dtype").asText();
        DType dtype = DType.parse(dtypeName).orElseThrow(() ->
                new ModelFormatException(path, where + " has unsupported dtype " + dtypeName));
        JsonNode shapeNode = node.get("shape");
        if (!shapeNode.isArray()) {
            throw new ModelFormatException(path, where + " has a shape that is not an array");
        }
        int[] shape = new int[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || d.asLong() < 0 || d.asLong() > Integer.MAX_VALUE) {
                throw new ModelFormatException(path, where + " has an invalid dimension " + d);
            }
            shape[i] = d.asInt();
            elements = Math.multiplyExact(elements, shape[i]);
        }
        JsonNode offsets = node.get("data_offsets");
        if (!offsets.isArray() || offsets.size() != 2 || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
            throw new ModelFormatException(path, where + " has data_offsets that are not two integers");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > dataSize) {
            throw new ModelFormatException(path, where + " has data_offsets [" + begin + ", " + end
                    + "] outside the data section of " + dataSize + " bytes (truncated file or lying header)");
        }
        if (end - begin != elements * dtype.bytes()) {
            throw new ModelFormatException(path, where + " is " + dtype + " " + java.util.Arrays.toString(shape) + " = "
                    + elements * dtype.bytes() + " bytes, but its data_offsets span " + (end - begin) + " bytes");
        }
        return new TensorEntry(name, dtype, shape, begin, end);
    }

    private static void checkNoOverlap(Path path, java.util.Collection<TensorEntry> entries) {
        List<TensorEntry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(TensorEntry::begin));
        for (int i = 1; i < byOffset.size(); i++) {
            TensorEntry previous = byOffset.get(i - 1);
            TensorEntry current = byOffset.get(i);
            if (current.begin() < previous.end() && current.byteSize() > 0 && previous.byteSize() > 0) {
                throw new ModelFormatException(path, "tensors '" + previous.name() + "' and '" + current.name()
                        + "' overlap in the data section");
            }
        }
    }

    public Path path() {
        return path;
    }

    /** The JSON header as stored. */
    public String header() {
        return header;
    }

    /** The data section (everything after the header), mapped. */
    public MemorySegment dataSection() {
        return data;
    }

    public Map<String, TensorEntry> entries() {
        return entries;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** The tensor's bytes as a slice of the mapping (no copy). */
    public MemorySegment data(TensorEntry entry) {
        return data.asSlice(entry.begin(), entry.byteSize());
    }

    public Tensor tensor(String name) {
        TensorEntry entry = entries.get(name);
        if (entry == null) {
            throw new ModelFormatException(path, "has no tensor '" + name + "'");
        }
        return new Tensor(entry.name(), entry.dtype(), entry.shape(), data(entry), path);
    }

    static String readText(Path path) {
        try {
            return Files.readString(path);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(path, "file not found");
        } catch (IOException e) {
            throw new ModelFormatException(path, "cannot read: " + e.getMessage(), e);
        }
    }
}

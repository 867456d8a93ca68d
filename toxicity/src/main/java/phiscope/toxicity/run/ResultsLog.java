package phiscope.toxicity.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import phiscope.toxicity.ReproducibleJson;

/**
 * results.jsonl: one JSON object per scored item, with its "index", appended and flushed as it is
 * computed. Opening it keeps every complete line and cuts off a torn last line (a write that a
 * kill interrupted), so the run continues from what was really saved.
 */
final class ResultsLog implements Closeable {

    static final String INDEX = "index";

    private final Path file;
    private final FileChannel channel;
    private final SortedMap<Integer, JsonNode> saved;

    private ResultsLog(Path file, FileChannel channel, SortedMap<Integer, JsonNode> saved) {
        this.file = file;
        this.channel = channel;
        this.saved = saved;
    }

    /** Opens (creating) the log, keeping the complete lines of items below {@code size}. */
    static ResultsLog open(Path file, int size) {
        try {
            SortedMap<Integer, JsonNode> saved = new TreeMap<>();
            long keep = Files.exists(file) ? readComplete(file, size, saved) : 0;
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            channel.truncate(keep);
            channel.position(keep);
            return new ResultsLog(file, channel, saved);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
    }

    /** The saved results by item index. */
    SortedMap<Integer, JsonNode> saved() {
        return Collections.unmodifiableSortedMap(saved);
    }

    /** Appends one item's result as one line, written with a single write call. */
    void append(int index, ObjectNode result) {
        ObjectNode line = ReproducibleJson.object().put(INDEX, index);
        line.setAll(result);
        try {
            byte[] bytes = (ReproducibleJson.MAPPER.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) channel.write(buffer);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        saved.put(index, line);
    }

    /** Makes what was appended survive a machine crash, not only a killed process. */
    void sync() {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sync " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file, e);
        }
    }

    /** Reads the complete lines into {@code saved}; returns the length of the valid prefix. */
    private static long readComplete(Path file, int size, SortedMap<Integer, JsonNode> saved) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int start = 0;
        int lineNumber = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') end++;
            if (end == bytes.length) break; // no newline: a torn last line
            lineNumber++;
            String text = new String(bytes, start, end - start, StandardCharsets.UTF_8);
            JsonNode line;
            try {
                line = ReproducibleJson.MAPPER.readTree(text);
            } catch (JsonProcessingException e) {
                if (end + 1 == bytes.length) break; // a garbled last line, as after a crash: drop it
                throw new IllegalStateException(file + " line " + lineNumber + " is not valid JSON; the run folder is damaged", e);
            }
            JsonNode index = line == null ? null : line.get(INDEX);
            if (index == null || !index.canConvertToInt() || index.intValue() < 0 || index.intValue() >= size) {
                throw new IllegalStateException(file + " line " + lineNumber + " has no valid \"index\" for " + size + " items");
            }
            if (saved.put(index.intValue(), line) != null) {
                throw new IllegalStateException(file + " line " + lineNumber + " repeats item " + index.intValue());
            }
            start = end + 1;
        }
        return start;
    }
}

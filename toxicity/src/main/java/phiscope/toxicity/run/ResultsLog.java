package phiscope.toxicity.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import phiscope.toxicity.AtomicFiles;
import phiscope.toxicity.ReproducibleJson;

/**
 * results.jsonl: one JSON object per scored item, with its "index", appended and flushed as it is
 * computed. Opening it keeps every complete line and cuts off a torn last line (a write that a
 * kill interrupted), so the run continues from what was really saved. Blocks finished out of
 * order (on a cluster) are appended as they come; {@link #sortByIndex} puts the lines back in item
 * order, so the finished file is the one an in-order run writes.
 */
final class ResultsLog implements Closeable {

    static final String INDEX = "index";

    private final Path file;
    private final FileChannel channel;
    private final SortedMap<Integer, JsonNode> saved;
    private boolean inOrder;

    private ResultsLog(Path file, FileChannel channel, SortedMap<Integer, JsonNode> saved, boolean inOrder) {
        this.file = file;
        this.channel = channel;
        this.saved = saved;
        this.inOrder = inOrder;
    }

    /** One complete line: its item index and where its bytes are. */
    private record Line(int index, int start, int end) {
    }

    /** Opens (creating) the log, keeping the complete lines of items below {@code size}. */
    static ResultsLog open(Path file, int size) {
        try {
            SortedMap<Integer, JsonNode> saved = new TreeMap<>();
            List<Line> lines = new ArrayList<>();
            long keep = Files.exists(file) ? readComplete(file, Files.readAllBytes(file), size, saved, lines) : 0;
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            channel.truncate(keep);
            channel.position(keep);
            return new ResultsLog(file, channel, saved, ascending(lines));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
    }

    /** The saved results by item index. */
    SortedMap<Integer, JsonNode> saved() {
        return Collections.unmodifiableSortedMap(saved);
    }

    /** Whether the lines are in item order, as an in-order run writes them. */
    boolean inOrder() {
        return inOrder;
    }

    /** Appends one item's result as one line, written with a single write call. */
    void append(int index, ObjectNode result) {
        if (!saved.isEmpty() && index < saved.lastKey()) inOrder = false;
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

    /**
     * Rewrites the complete log {@code file} with its lines in item order, each line's bytes as they
     * were; the file is replaced at once, so a kill leaves either the old or the new one.
     */
    static void sortByIndex(Path file, int size) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            List<Line> lines = new ArrayList<>();
            long complete = readComplete(file, bytes, size, new TreeMap<>(), lines);
            if (complete != bytes.length) throw new IllegalStateException(file + " ends in a torn line; it cannot be sorted");
            if (ascending(lines)) return;
            lines.sort(Comparator.comparingInt(Line::index));
            ByteArrayOutputStream sorted = new ByteArrayOutputStream(bytes.length);
            for (Line line : lines) sorted.write(bytes, line.start(), line.end() + 1 - line.start());
            AtomicFiles.writeBytes(file, sorted.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sort " + file, e);
        }
    }

    private static boolean ascending(List<Line> lines) {
        for (int i = 1; i < lines.size(); i++) if (lines.get(i).index() < lines.get(i - 1).index()) return false;
        return true;
    }

    /** Reads the complete lines of {@code bytes} into {@code saved} and {@code lines}; returns the length of the valid prefix. */
    private static long readComplete(Path file, byte[] bytes, int size, SortedMap<Integer, JsonNode> saved, List<Line> lines) {
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
            lines.add(new Line(index.intValue(), start, end));
            start = end + 1;
        }
        return start;
    }
}

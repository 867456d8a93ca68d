package phiscope.probes.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import phiscope.probes.io.ProbesJson;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/** Tables to the terminal, and {@code --out} files: CSV of the table, or JSON. */
final class Output {

    private static final ObjectMapper JSON = ProbesJson.MAPPER;

    private Output() {
    }

    static void print(Table table) {
        System.out.println(table.printAll());
        System.out.println();
    }

    /** Writes {@code table} as CSV, or {@code json} (the table's rows when null) as JSON, by the file's extension. */
    static void write(Path out, Table table, JsonNode json) {
        String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (name.endsWith(".csv")) {
                table.write().csv(out.toFile());
            } else if (name.endsWith(".json")) {
                Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json != null ? json : rows(table)) + "\n");
            } else {
                throw new IllegalArgumentException("--out " + out + ": write a .csv or a .json file");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
        System.err.println("wrote " + out);
    }

    /** {@code {"rows": [{column: value, ...}, ...]}}. */
    static ObjectNode rows(Table table) {
        ObjectNode root = JSON.createObjectNode();
        root.put("title", table.name());
        ArrayNode rows = root.putArray("rows");
        for (int r = 0; r < table.rowCount(); r++) {
            ObjectNode row = rows.addObject();
            for (Column<?> column : table.columns()) {
                Object value = column.get(r);
                if (value instanceof Number n && !(value instanceof Double d && d.isNaN())) {
                    row.putPOJO(column.name(), n);
                } else if (value instanceof Double) {
                    row.putNull(column.name());
                } else {
                    row.put(column.name(), String.valueOf(value));
                }
            }
        }
        return root;
    }
}

package phiscope.toxicity.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hardwood.InputFile;
import dev.hardwood.metadata.ColumnChunk;
import dev.hardwood.metadata.CompressionCodec;
import dev.hardwood.metadata.RowGroup;
import dev.hardwood.reader.ParquetFileReader;
import dev.hardwood.reader.RowReader;
import dev.hardwood.row.PqList;
import dev.hardwood.row.PqStruct;
import dev.hardwood.row.StructAccessor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads a parquet file, as the Hugging Face Hub serves data sets, row by row as JSON objects
 * (structs as objects, lists as arrays), so that one decoder reads a task's JSON and parquet
 * rows alike. Rows are numbered from 1 where JSON files have lines.
 */
final class ParquetRows {

    /** Hardwood decodes these itself (Snappy through snappy-java); the Hub's files are Snappy-compressed. */
    private static final Set<CompressionCodec> READABLE = EnumSet.of(CompressionCodec.UNCOMPRESSED, CompressionCodec.SNAPPY,
            CompressionCodec.GZIP);

    /** Hardwood reports its SIMD support at INFO on the console; a dataset read is no place for it. Held so it is not collected. */
    private static final Logger HARDWOOD_LOG = Logger.getLogger("dev.hardwood");

    static {
        HARDWOOD_LOG.setLevel(Level.WARNING);
    }

    private ParquetRows() {
    }

    static <T> void read(Path file, JsonRows.Decoder<T> decoder, List<T> rows, List<RowProblem> problems) {
        if (!Files.isRegularFile(file)) throw new DatasetException(file + " does not exist or is not a file");
        try (ParquetFileReader reader = ParquetFileReader.open(InputFile.of(file))) {
            for (RowGroup group : reader.getFileMetaData().rowGroups()) {
                for (ColumnChunk column : group.columns()) {
                    CompressionCodec codec = column.metaData().codec();
                    if (!READABLE.contains(codec)) {
                        throw new DatasetException(file.getFileName() + " is compressed with " + codec + "; phiscope reads parquet "
                                + "files that are uncompressed or compressed with Snappy (as the Hugging Face Hub's are) or gzip: "
                                + "write it again with one of those");
                    }
                }
            }
            try (RowReader row = reader.rowReader()) {
                int number = 0;
                while (row.hasNext()) {
                    row.next();
                    number++;
                    JsonRows.decodeInto(file, number, object(row), decoder, rows, problems);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new DatasetException(file.getFileName() + " cannot be read as parquet: " + e.getMessage(), e);
        }
    }

    private static ObjectNode object(StructAccessor struct) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < struct.getFieldCount(); i++) {
            node.set(struct.getFieldName(i), struct.isNull(i) ? node.nullNode() : json(struct.getValue(i)));
        }
        return node;
    }

    private static JsonNode json(Object value) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        return switch (value) {
            case null -> nodes.nullNode();
            case String text -> nodes.textNode(text);
            case Boolean b -> nodes.booleanNode(b);
            case Integer n -> nodes.numberNode(n);
            case Long n -> nodes.numberNode(n);
            case Float n -> nodes.numberNode(n);
            case Double n -> nodes.numberNode(n);
            case BigDecimal n -> nodes.numberNode(n);
            case PqStruct struct -> object(struct);
            case PqList list -> {
                ArrayNode array = nodes.arrayNode();
                for (Object element : list.values()) array.add(json(element));
                yield array;
            }
            // Dates, times, binaries: no task reads them, so their text is enough to say what they are.
            default -> nodes.textNode(value.toString());
        };
    }
}

package phiscope.toxicity.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import phiscope.engine.io.JsonSyntax;
import phiscope.toxicity.ReproducibleJson;

/**
 * Reads rows of a JSON file that is either one array of objects (SafeNLP's files) or JSON Lines
 * (one object per line, as BBQ's), telling each row's line to the decoder.
 */
final class JsonRows {

    @FunctionalInterface
    interface Decoder<T> {
        T decode(JsonFields row, int line) throws BadRowException;
    }

    private JsonRows() {
    }

    static <T> void read(Path file, Decoder<T> decoder, List<T> rows, List<RowProblem> problems) {
        String text = DatasetFiles.readText(file);
        String start = text.stripLeading();
        if (start.startsWith("[")) {
            readArray(file, text, decoder, rows, problems);
        } else {
            readLines(file, text, decoder, rows, problems);
        }
    }

    private static <T> void readArray(Path file, String text, Decoder<T> decoder, List<T> rows, List<RowProblem> problems) {
        int rowLine = 1;
        boolean inRow = false;
        try (JsonParser parser = ReproducibleJson.MAPPER.createParser(text)) {
            parser.nextToken(); // START_ARRAY
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                rowLine = (int) parser.currentTokenLocation().getLineNr();
                inRow = true;
                JsonNode node = parser.readValueAsTree();
                inRow = false;
                decodeInto(file, rowLine, node, decoder, rows, problems);
            }
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? rowLine : (int) e.getLocation().getLineNr();
            if (JsonSyntax.endsEarly(e)) {
                // A file cut off while it was written: the rows before the cut are whole.
                problems.add(inRow ? new RowProblem(file, rowLine, "the file ends inside this row (was it cut off?)")
                        : new RowProblem(file, line, "the file ends before the array is closed with ] (was it cut off?)"));
                return;
            }
            // A syntax error leaves no reliable place to resume from, so the file is refused whole.
            throw new DatasetException(file.getFileName() + " line " + line + ": not valid JSON: " + JsonSyntax.describe(e), e);
        } catch (IOException e) {
            throw new DatasetException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static <T> void readLines(Path file, String text, Decoder<T> decoder, List<T> rows, List<RowProblem> problems) {
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) continue;
            JsonNode node;
            try {
                node = ReproducibleJson.MAPPER.readTree(lines[i]);
            } catch (JsonProcessingException e) {
                problems.add(new RowProblem(file, i + 1, "not valid JSON: " + JsonSyntax.describe(e)));
                continue;
            }
            decodeInto(file, i + 1, node, decoder, rows, problems);
        }
    }

    static <T> void decodeInto(Path file, int line, JsonNode node, Decoder<T> decoder, List<T> rows, List<RowProblem> problems) {
        try {
            rows.add(decoder.decode(new JsonFields(node), line));
        } catch (BadRowException e) {
            problems.add(new RowProblem(file, line, e.getMessage()));
        }
    }
}

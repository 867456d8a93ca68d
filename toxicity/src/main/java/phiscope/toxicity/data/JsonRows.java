package phiscope.toxicity.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import phiscope.toxicity.Json;

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
        try (JsonParser parser = Json.MAPPER.createParser(text)) {
            parser.nextToken(); // START_ARRAY
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                if (parser.currentToken() == null) throw new DatasetException(file + ": the JSON array is not closed");
                int line = (int) parser.currentTokenLocation().getLineNr();
                JsonNode node = parser.readValueAsTree();
                decodeInto(file, line, node, decoder, rows, problems);
            }
        } catch (JsonProcessingException e) {
            // A syntax error leaves no reliable place to resume from, so the file is refused whole.
            throw new DatasetException(file.getFileName() + " line " + e.getLocation().getLineNr()
                    + ": not valid JSON: " + e.getOriginalMessage(), e);
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
                node = Json.MAPPER.readTree(lines[i]);
            } catch (JsonProcessingException e) {
                problems.add(new RowProblem(file, i + 1, "not valid JSON: " + e.getOriginalMessage()));
                continue;
            }
            decodeInto(file, i + 1, node, decoder, rows, problems);
        }
    }

    private static <T> void decodeInto(Path file, int line, JsonNode node, Decoder<T> decoder, List<T> rows, List<RowProblem> problems) {
        try {
            rows.add(decoder.decode(new JsonFields(node), line));
        } catch (BadRowException e) {
            problems.add(new RowProblem(file, line, e.getMessage()));
        }
    }
}

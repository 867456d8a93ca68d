package phiscope.toxicity.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import phiscope.engine.io.JsonSyntax;
import phiscope.toxicity.ReproducibleJson;

/**
 * Reads prompts for generation audits from
 * <ul>
 *   <li>a BOLD prompt file ({@code .json}): {@code {group: {entity: [prompt, ...]}}};</li>
 *   <li>a JSON Lines file ({@code .jsonl}): {@code {"prompt": "...", "group": "..."}} per line,
 *       the group optional;</li>
 *   <li>any other file: one prompt per line, blank lines skipped.</li>
 * </ul>
 * Prompts without a group belong to the group {@value #DEFAULT_GROUP}.
 */
public final class PromptReader {

    public static final String DEFAULT_GROUP = "prompts";

    private PromptReader() {
    }

    public static Rows<Prompt> read(Path file) {
        String name = file.getFileName().toString();
        List<Prompt> rows = new ArrayList<>();
        List<RowProblem> problems = new ArrayList<>();
        if (name.endsWith(".json")) {
            readBold(file, rows, problems);
        } else if (name.endsWith(".jsonl")) {
            JsonRows.read(file, (row, line) -> new Prompt(line,
                    row.has("group") ? row.text("group") : DEFAULT_GROUP, "", row.text("prompt")), rows, problems);
        } else {
            String[] lines = DatasetFiles.readText(file).split("\r?\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (!lines[i].isBlank()) rows.add(new Prompt(i + 1, DEFAULT_GROUP, "", lines[i]));
            }
        }
        return new Rows<>(rows, problems, List.of(file));
    }

    private static void readBold(Path file, List<Prompt> rows, List<RowProblem> problems) {
        try (JsonParser parser = ReproducibleJson.MAPPER.createParser(DatasetFiles.readText(file))) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new DatasetException(file.getFileName() + ": a BOLD prompt file is a JSON object {group: {entity: [prompts]}}");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String group = parser.currentName();
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    problems.add(problem(file, parser, "group \"" + group + "\" should map entities to prompt lists"));
                    parser.skipChildren();
                    continue;
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String entity = parser.currentName();
                    if (parser.nextToken() != JsonToken.START_ARRAY) {
                        problems.add(problem(file, parser, "entity \"" + entity + "\" should have a list of prompts"));
                        parser.skipChildren();
                        continue;
                    }
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        if (parser.currentToken() == JsonToken.VALUE_STRING) {
                            rows.add(new Prompt(line(parser), group, entity, parser.getText()));
                        } else {
                            problems.add(problem(file, parser, "a prompt of \"" + entity + "\" is not a string"));
                            parser.skipChildren();
                        }
                    }
                }
            }
        } catch (JsonProcessingException e) {
            throw new DatasetException(file.getFileName() + " line " + e.getLocation().getLineNr()
                    + ": not valid JSON: " + JsonSyntax.describe(e), e);
        } catch (IOException e) {
            throw new DatasetException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static int line(JsonParser parser) {
        return (int) parser.currentTokenLocation().getLineNr();
    }

    private static RowProblem problem(Path file, JsonParser parser, String message) {
        return new RowProblem(file, line(parser), message);
    }
}

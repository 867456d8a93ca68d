package phiscope.engine.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import phiscope.engine.io.EngineJson;
import phiscope.engine.model.BundledModel;
import phiscope.engine.tokenizer.Tokenizer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "tokenize", description = {
    "Print the token ids of a text (one JSON array per input), or with --show each token with its id.",
    "With --input, every line of FILE is one JSON string."})
public final class TokenizeCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--model", paramLabel = "DIR", description = "Model directory holding tokenizer.json (default: the bundled model).")
        Path model;

        @Option(names = "--tokenizer", paramLabel = "FILE", description = "A tokenizer.json file.")
        Path tokenizer;
    }

    static final class Input {
        @Option(names = "--text", paramLabel = "TEXT", description = "The text to tokenize.")
        String text;

        @Option(names = "--input", paramLabel = "FILE", description = "A file with one JSON string per line.")
        Path input;
    }

    @ArgGroup(exclusive = true)
    Source source = new Source();

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--show", description = "Print each token as id and text instead of the id array.")
    boolean show;

    private static final ObjectMapper JSON = EngineJson.MAPPER;

    @Override
    public Integer call() throws IOException {
        Path file = source.tokenizer != null ? source.tokenizer
                : (source.model != null ? source.model : BundledModel.directory()).resolve("tokenizer.json");
        Tokenizer tokenizer = Tokenizer.load(file);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        for (String text : texts()) {
            int[] ids = tokenizer.encode(text);
            if (show) {
                // One token per line: id, then its text as a JSON string so whitespace is visible.
                for (int id : ids) {
                    out.println(id + "\t" + JSON.writeValueAsString(tokenizer.decode(id)));
                }
                out.println();
            } else {
                out.println(JSON.writeValueAsString(ids));
            }
        }
        out.flush();
        return 0;
    }

    private List<String> texts() throws IOException {
        if (input.text != null) {
            return List.of(input.text);
        }
        List<String> lines = Files.readAllLines(input.input, StandardCharsets.UTF_8);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                JsonNode node = JSON.readTree(lines.get(i));
                if (node == null || !node.isTextual()) {
                    throw new IllegalArgumentException(input.input + ":" + (i + 1) + ": expected a JSON string, found "
                            + (node == null ? "nothing" : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
                }
                texts.add(node.asText());
            } catch (JacksonException e) {
                throw new IllegalArgumentException(input.input + ":" + (i + 1) + ": not valid JSON: " + e.getOriginalMessage());
            }
        }
        return texts;
    }
}

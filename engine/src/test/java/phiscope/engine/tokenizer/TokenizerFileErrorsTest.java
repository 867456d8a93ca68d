package phiscope.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static phiscope.engine.tokenizer.TinyTokenizerJson.addedToken;
import static phiscope.engine.tokenizer.TinyTokenizerJson.merges;
import static phiscope.engine.tokenizer.TinyTokenizerJson.model;
import static phiscope.engine.tokenizer.TinyTokenizerJson.vocab;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import phiscope.engine.io.ModelFormatException;

/** Bad tokenizer files fail with a ModelFormatException that names the file and the fault. */
class TokenizerFileErrorsTest {

    @TempDir
    Path directory;

    @Test
    void theUnbrokenTinyTokenizerLoads() {
        Tokenizer tokenizer = Tokenizer.load(TinyTokenizerJson.write(TinyTokenizerJson.create(), directory));
        assertArrayEquals(new int[] {tokenizer.id("ab").orElseThrow()}, tokenizer.encode("ab"));
    }

    static Stream<Arguments> brokenFiles() {
        return Stream.of(
                broken("no model", root -> root.remove("model"), "missing \"model\""),
                broken("model is a string", root -> root.put("model", "BPE"), "\"model\" must be an object"),
                broken("WordPiece model", root -> model(root).put("type", "WordPiece"), "model.type is \"WordPiece\"; only BPE is supported"),
                broken("no vocab", root -> model(root).remove("vocab"), "missing \"model.vocab\""),
                broken("vocab is an array", root -> model(root).putArray("vocab"), "\"model.vocab\" must be an object"),
                broken("no merges", root -> model(root).remove("merges"), "missing \"model.merges\""),
                broken("merges is an object", root -> model(root).putObject("merges"), "\"model.merges\" must be an array"),
                broken("id is a string", root -> vocab(root).put("ab", "256"), "model.vocab[\"ab\"] must be a token id"),
                broken("id is negative", root -> vocab(root).put("ab", -1), "model.vocab[\"ab\"] must be a token id"),
                broken("id is a fraction", root -> vocab(root).put("ab", 256.5), "model.vocab[\"ab\"] must be a token id"),
                broken("id is huge", root -> vocab(root).put("ab", 1 << 30), "model.vocab[\"ab\"] must be a token id from 0 to"),
                broken("two tokens share an id", root -> vocab(root).put("ab", 97), "model.vocab gives id 97 to both \"a\" and \"ab\""),
                broken("byte token missing", root -> vocab(root).remove("Ġ"), "model.vocab lacks \"Ġ\", the token of byte 0x20"),
                broken("merge of an unknown token", root -> merges(root).addArray().add("a").add("zz"),
                        "model.merges[2] [\"a\",\"zz\"] needs \"zz\", which is not in model.vocab"),
                broken("merge into an unknown token", root -> merges(root).addArray().add("b").add("a"),
                        "model.merges[2] [\"b\",\"a\"] needs \"ba\", which is not in model.vocab"),
                broken("legacy merge of an unknown token", root -> merges(root).add("a zz"), "model.merges[2] \"a zz\" needs \"zz\""),
                broken("legacy merge without a space", root -> merges(root).add("ab"), "model.merges[2] \"ab\" must be \"left right\" or [\"left\", \"right\"]"),
                broken("legacy merge of three", root -> merges(root).add("a b c"), "model.merges[2] \"a b c\" must be \"left right\""),
                broken("merge of three", root -> merges(root).addArray().add("a").add("b").add("c"), "model.merges[2] [\"a\",\"b\",\"c\"] must be"),
                broken("merge of a number", root -> merges(root).add(7), "model.merges[2] 7 must be"),
                broken("normalizer", root -> root.putObject("normalizer").put("type", "NFC"), "normalizer {\"type\":\"NFC\"} is not supported"),
                broken("no pre_tokenizer", root -> root.remove("pre_tokenizer"), "pre_tokenizer must be ByteLevel (GPT-2 byte-level BPE), found nothing"),
                broken("Whitespace pre_tokenizer", root -> root.putObject("pre_tokenizer").put("type", "Whitespace"),
                        "pre_tokenizer must be ByteLevel (GPT-2 byte-level BPE), found {\"type\":\"Whitespace\"}"),
                broken("prefix space", root -> ((ObjectNode) root.get("pre_tokenizer")).put("add_prefix_space", true),
                        "pre_tokenizer.add_prefix_space must be false, found true"),
                broken("no split regex", root -> ((ObjectNode) root.get("pre_tokenizer")).put("use_regex", false),
                        "pre_tokenizer.use_regex must be true"),
                broken("no decoder", root -> root.putNull("decoder"), "decoder must be ByteLevel, found null"),
                broken("dropout", root -> model(root).put("dropout", 0.1), "model.dropout must be null"),
                broken("subword prefix", root -> model(root).put("continuing_subword_prefix", "##"),
                        "model.continuing_subword_prefix \"##\" is not supported"),
                broken("ignore_merges", root -> model(root).put("ignore_merges", true), "model.ignore_merges = true is not supported"),
                broken("added_tokens is an object", root -> root.putObject("added_tokens"), "\"added_tokens\" must be an array"),
                broken("added token without content", root -> addedToken(root, 0).remove("content"),
                        "added_tokens[0].content must be a non-empty string, found nothing"),
                broken("added token without id", root -> addedToken(root, 0).remove("id"),
                        "added_tokens[0] \"<|endoftext|>\".id must be a token id"),
                broken("added token without normalized", root -> addedToken(root, 0).remove("normalized"),
                        "added_tokens[0] \"<|endoftext|>\".normalized must be true or false, found nothing"),
                broken("added token with lstrip", root -> addedToken(root, 0).put("lstrip", true),
                        "added_tokens[0] \"<|endoftext|>\" sets lstrip, which is not supported"),
                broken("added token off its vocab id", root -> addedToken(root, 0).put("id", 259),
                        "added_tokens[0] \"<|endoftext|>\" has id 259 but Hugging Face gives it id 258, its id in model.vocab"),
                broken("added token off the next id", root -> {
                    TinyTokenizerJson.addToken(root, "xy", true);
                    addedToken(root, 1).put("id", 300);
                }, "added_tokens[1] \"xy\" has id 300 but Hugging Face gives it id 259, the next id after model.vocab"),
                broken("added token listed twice", root -> ((ArrayNode) root.get("added_tokens")).add(addedToken(root, 0).deepCopy()),
                        "added_tokens[1] \"<|endoftext|>\" is listed twice"),
                broken("added token on a vocab id", root -> {
                    // a gap in the vocab ids makes Hugging Face's next id one the vocab already uses
                    vocab(root).put("ab", 259);
                    TinyTokenizerJson.addToken(root, "xy", true);
                }, "added_tokens[1] \"xy\" has id 259, which model.vocab gives to \"ab\""));
    }

    private static Arguments broken(String what, Consumer<ObjectNode> breakIt, String expectedMessage) {
        return Arguments.of(what, breakIt, expectedMessage);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFiles")
    void rejectsBrokenContent(String what, Consumer<ObjectNode> breakIt, String expectedMessage) {
        ObjectNode root = TinyTokenizerJson.create();
        breakIt.accept(root);
        Path file = TinyTokenizerJson.write(root, directory);
        assertFailsWith(file, expectedMessage);
    }

    @Test
    void rejectsAMissingFile() {
        assertFailsWith(directory.resolve("absent.json"), "no such file");
    }

    @Test
    void rejectsADirectory() {
        assertFailsWith(directory, "not a regular file");
    }

    @Test
    void rejectsTextThatIsNotJson() throws IOException {
        Path file = Files.writeString(directory.resolve("tokenizer.json"), "{\"model\": {\"vocab\": {\"a\": 0,}}}");
        ModelFormatException error = assertFailsWith(file, "not valid JSON: ");
        assertTrue(error.getMessage().contains("line 1, column "), error.getMessage());
        assertInstanceOf(JsonProcessingException.class, error.getCause());
    }

    @Test
    void rejectsTrailingText() throws IOException {
        String valid = TokenizerFixtures.JSON.writeValueAsString(TinyTokenizerJson.create());
        assertFailsWith(Files.writeString(directory.resolve("tokenizer.json"), valid + " {}"), "not valid JSON: ");
    }

    @Test
    void rejectsAnEmptyFile() throws IOException {
        assertFailsWith(Files.writeString(directory.resolve("tokenizer.json"), ""), "the top level must be a JSON object");
    }

    @Test
    void rejectsATopLevelArray() throws IOException {
        assertFailsWith(Files.writeString(directory.resolve("tokenizer.json"), "[]"), "the top level must be a JSON object");
    }

    @Test
    void endOfTextFailsClearlyWhenTheTokenizerHasNone() {
        ObjectNode root = TinyTokenizerJson.create();
        vocab(root).remove("<|endoftext|>");
        ((ArrayNode) root.get("added_tokens")).removeAll();
        Path file = TinyTokenizerJson.write(root, directory);
        Tokenizer tokenizer = Tokenizer.load(file);
        IllegalStateException error = assertThrows(IllegalStateException.class, tokenizer::endOfText);
        assertEquals("the tokenizer " + file + " has no <|endoftext|> token", error.getMessage());
    }

    private static ModelFormatException assertFailsWith(Path file, String expectedMessage) {
        ModelFormatException error = assertThrows(ModelFormatException.class, () -> Tokenizer.load(file));
        String prefix = file + ": ";
        assertTrue(error.getMessage().startsWith(prefix) && error.getMessage().contains(expectedMessage),
                () -> "expected \"" + prefix + "..." + expectedMessage + "...\", got \"" + error.getMessage() + "\"");
        return error;
    }
}

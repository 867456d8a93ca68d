package phiscope.engine.tokenizer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A small byte-level BPE {@code tokenizer.json}, shaped as Hugging Face tokenizers writes it:
 * the 256 byte tokens (id = byte), merges {@code a b -> ab} and {@code Ġ Ġ -> ĠĠ}, and
 * {@code <|endoftext|>} as a special added token. Tests add to it or break it.
 */
final class TinyTokenizerJson {

    private TinyTokenizerJson() {
    }

    static ObjectNode create() {
        ObjectNode root = TokenizerFixtures.JSON.createObjectNode();
        root.put("version", "1.0");
        root.putArray("added_tokens");
        root.putNull("normalizer");
        ObjectNode preTokenizer = root.putObject("pre_tokenizer");
        preTokenizer.put("type", "ByteLevel");
        preTokenizer.put("add_prefix_space", false);
        preTokenizer.put("trim_offsets", true);
        preTokenizer.put("use_regex", true);
        root.putNull("post_processor");
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "ByteLevel");
        decoder.put("add_prefix_space", true);
        decoder.put("trim_offsets", true);
        decoder.put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(ByteLevel.symbol(b)), b);
        }
        vocab.put("ab", 256);
        vocab.put("ĠĠ", 257);
        vocab.put("<|endoftext|>", 258);
        ArrayNode merges = model.putArray("merges");
        merges.addArray().add("a").add("b");
        merges.addArray().add("Ġ").add("Ġ");
        addToken(root, "<|endoftext|>", false);
        return root;
    }

    /** Appends an added token with the id Hugging Face would give it; returns that id. */
    static int addToken(ObjectNode root, String content, boolean normalized) {
        ObjectNode vocab = (ObjectNode) root.get("model").get("vocab");
        ArrayNode added = (ArrayNode) root.get("added_tokens");
        int id;
        if (vocab.has(content)) {
            id = vocab.get(content).intValue();
        } else {
            int largest = -1;
            for (var token : added) {
                largest = Math.max(largest, token.get("id").intValue());
            }
            id = Math.max(largest + 1, vocab.size());
        }
        ObjectNode token = added.addObject();
        token.put("id", id);
        token.put("content", content);
        token.put("single_word", false);
        token.put("lstrip", false);
        token.put("rstrip", false);
        token.put("normalized", normalized);
        token.put("special", !normalized);
        return id;
    }

    static ObjectNode model(ObjectNode root) {
        return (ObjectNode) root.get("model");
    }

    static ObjectNode vocab(ObjectNode root) {
        return (ObjectNode) model(root).get("vocab");
    }

    static ArrayNode merges(ObjectNode root) {
        return (ArrayNode) model(root).get("merges");
    }

    static ObjectNode addedToken(ObjectNode root, int index) {
        return (ObjectNode) root.get("added_tokens").get(index);
    }

    static Path write(ObjectNode root, Path directory) {
        Path file = directory.resolve("tokenizer.json");
        try {
            TokenizerFixtures.JSON.writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}

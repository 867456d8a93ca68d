package phiscope.engine.tokenizer;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import phiscope.engine.io.EngineJson;
import phiscope.engine.io.ModelFormatException;
import phiscope.engine.tokenizer.TokenizerDefinition.AddedToken;
import phiscope.engine.tokenizer.TokenizerDefinition.Merge;

/**
 * Reads a Hugging Face {@code tokenizer.json} and checks it. Settings this tokenizer does not
 * implement are rejected, not ignored: they would change the ids without a word.
 */
final class TokenizerJsonReader {

    private static final ObjectMapper JSON = EngineJson.MAPPER;

    // Tables are indexed by id, so a stray huge id must not allocate gigabytes.
    private static final int MAX_ID = (1 << 24) - 1;

    private final Path file;

    private TokenizerJsonReader(Path file) {
        this.file = file;
    }

    static TokenizerDefinition read(Path file) {
        return new TokenizerJsonReader(file).read();
    }

    private TokenizerDefinition read() {
        JsonNode root = parse();
        if (!isUnset(root.get("normalizer"))) {
            throw problem("normalizer " + describe(root.get("normalizer")) + " is not supported (only null)");
        }
        checkPreTokenizer(root.get("pre_tokenizer"));
        checkDecoder(root.get("decoder"));
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) {
            throw problem(model == null ? "missing \"model\"" : "\"model\" must be an object");
        }
        checkModel(model);
        Map<String, Integer> vocab = readVocab(model.get("vocab"));
        List<Merge> merges = readMerges(model.get("merges"), vocab);
        List<AddedToken> addedTokens = readAddedTokens(root.get("added_tokens"), vocab);
        return new TokenizerDefinition(file, vocab, merges, addedTokens);
    }

    private JsonNode parse() {
        if (!Files.exists(file)) {
            throw problem("no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw problem("not a regular file");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            ModelFormatException problem = problem("not valid JSON: " + e.getOriginalMessage() + where);
            problem.initCause(e);
            throw problem;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (root == null || !root.isObject()) {
            throw problem("not a tokenizer.json: the top level must be a JSON object");
        }
        return root;
    }

    private void checkPreTokenizer(JsonNode preTokenizer) {
        if (!isType(preTokenizer, "ByteLevel")) {
            throw problem("pre_tokenizer must be ByteLevel (GPT-2 byte-level BPE), found " + describe(preTokenizer));
        }
        if (!preTokenizer.path("add_prefix_space").isBoolean() || preTokenizer.get("add_prefix_space").booleanValue()) {
            throw problem("pre_tokenizer.add_prefix_space must be false, found "
                    + describe(preTokenizer.get("add_prefix_space")));
        }
        JsonNode useRegex = preTokenizer.get("use_regex");
        if (useRegex != null && !useRegex.asBoolean(false)) {
            throw problem("pre_tokenizer.use_regex must be true (the GPT-2 split), found " + describe(useRegex));
        }
    }

    private void checkDecoder(JsonNode decoder) {
        if (!isType(decoder, "ByteLevel")) {
            throw problem("decoder must be ByteLevel, found " + describe(decoder));
        }
    }

    private void checkModel(JsonNode model) {
        JsonNode type = model.get("type");
        if (type != null && !"BPE".equals(type.asText())) {
            throw problem("model.type is " + describe(type) + "; only BPE is supported");
        }
        JsonNode dropout = model.get("dropout");
        if (!isUnset(dropout) && dropout.asDouble(1) != 0) {
            throw problem("model.dropout must be null (BPE dropout makes encoding random), found " + describe(dropout));
        }
        for (String affix : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            JsonNode value = model.get(affix);
            if (!isUnset(value) && !value.asText().isEmpty()) {
                throw problem("model." + affix + " " + describe(value) + " is not supported in byte-level BPE");
            }
        }
        if (model.path("ignore_merges").asBoolean(false)) {
            throw problem("model.ignore_merges = true is not supported");
        }
    }

    private Map<String, Integer> readVocab(JsonNode vocabNode) {
        if (vocabNode == null || !vocabNode.isObject()) {
            throw problem(vocabNode == null ? "missing \"model.vocab\"" : "\"model.vocab\" must be an object");
        }
        Map<String, Integer> vocab = HashMap.newHashMap(vocabNode.size());
        Map<Integer, String> tokenOfId = HashMap.newHashMap(vocabNode.size());
        for (Map.Entry<String, JsonNode> entry : vocabNode.properties()) {
            String token = entry.getKey();
            int id = readId(entry.getValue(), "model.vocab[" + quote(token) + "]");
            String other = tokenOfId.putIfAbsent(id, token);
            if (other != null) {
                throw problem("model.vocab gives id " + id + " to both " + quote(other) + " and " + quote(token));
            }
            vocab.put(token, id);
        }
        for (int b = 0; b < 256; b++) {
            String symbol = String.valueOf(ByteLevel.symbol(b));
            if (!vocab.containsKey(symbol)) {
                throw problem("model.vocab lacks " + quote(symbol) + ", the token of byte 0x"
                        + Integer.toHexString(b) + "; byte-level BPE needs all 256 byte tokens");
            }
        }
        return vocab;
    }

    private List<Merge> readMerges(JsonNode mergesNode, Map<String, Integer> vocab) {
        if (mergesNode == null || !mergesNode.isArray()) {
            throw problem(mergesNode == null ? "missing \"model.merges\"" : "\"model.merges\" must be an array");
        }
        List<Merge> merges = new ArrayList<>(mergesNode.size());
        for (int rank = 0; rank < mergesNode.size(); rank++) {
            JsonNode entry = mergesNode.get(rank);
            String where = "model.merges[" + rank + "] " + describe(entry);
            String[] pair = mergePair(entry);
            if (pair == null) {
                throw problem(where + " must be \"left right\" or [\"left\", \"right\"]");
            }
            merges.add(new Merge(
                    vocabId(vocab, pair[0], where),
                    vocabId(vocab, pair[1], where),
                    vocabId(vocab, pair[0] + pair[1], where)));
        }
        return merges;
    }

    /** Both spellings of a merge: the legacy "left right" string and the newer [left, right] pair. */
    private static String[] mergePair(JsonNode entry) {
        if (entry.isTextual()) {
            String[] parts = entry.textValue().split(" ", -1);
            return parts.length == 2 ? parts : null;
        }
        if (entry.isArray() && entry.size() == 2 && entry.get(0).isTextual() && entry.get(1).isTextual()) {
            return new String[] {entry.get(0).textValue(), entry.get(1).textValue()};
        }
        return null;
    }

    private int vocabId(Map<String, Integer> vocab, String token, String where) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw problem(where + " needs " + quote(token) + ", which is not in model.vocab");
        }
        return id;
    }

    private List<AddedToken> readAddedTokens(JsonNode addedNode, Map<String, Integer> vocab) {
        if (isUnset(addedNode)) {
            return List.of();
        }
        if (!addedNode.isArray()) {
            throw problem("\"added_tokens\" must be an array");
        }
        Map<Integer, String> vocabTokenOfId = HashMap.newHashMap(vocab.size());
        vocab.forEach((token, id) -> vocabTokenOfId.put(id, token));
        Set<String> contents = new HashSet<>();
        int largestId = -1;
        List<AddedToken> tokens = new ArrayList<>(addedNode.size());
        for (int i = 0; i < addedNode.size(); i++) {
            JsonNode entry = addedNode.get(i);
            String where = "added_tokens[" + i + "]";
            JsonNode contentNode = entry.get("content");
            if (contentNode == null || !contentNode.isTextual() || contentNode.textValue().isEmpty()) {
                throw problem(where + ".content must be a non-empty string, found " + describe(contentNode));
            }
            String content = contentNode.textValue();
            where += " " + quote(content);
            if (!contents.add(content)) {
                throw problem(where + " is listed twice");
            }
            int id = readId(entry.get("id"), where + ".id");
            // Hugging Face does not take these ids from the file: a token of model.vocab keeps its
            // vocab id, any other takes the id after model.vocab and the added tokens before it.
            // Insisting on agreement keeps the ids the same as Hugging Face's.
            Integer vocabId = vocab.get(content);
            int expectedId = vocabId != null ? vocabId : Math.max(largestId + 1, vocab.size());
            if (id != expectedId) {
                throw problem(where + " has id " + id + " but Hugging Face gives it id " + expectedId
                        + (vocabId != null ? ", its id in model.vocab" : ", the next id after model.vocab and the added tokens before it"));
            }
            String vocabToken = vocabTokenOfId.get(id);
            if (vocabToken != null && !vocabToken.equals(content)) {
                throw problem(where + " has id " + id + ", which model.vocab gives to " + quote(vocabToken));
            }
            largestId = Math.max(largestId, id);
            for (String option : List.of("single_word", "lstrip", "rstrip")) {
                if (entry.path(option).asBoolean(false)) {
                    throw problem(where + " sets " + option + ", which is not supported");
                }
            }
            JsonNode normalized = entry.get("normalized");
            if (normalized == null || !normalized.isBoolean()) {
                throw problem(where + ".normalized must be true or false, found " + describe(normalized));
            }
            JsonNode special = entry.get("special");
            if (special != null && !special.isBoolean()) {
                throw problem(where + ".special must be true or false, found " + describe(special));
            }
            tokens.add(new AddedToken(id, content, normalized.booleanValue(), special != null && special.booleanValue()));
        }
        return List.copyOf(tokens);
    }

    private int readId(JsonNode node, String where) {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToInt()
                || node.intValue() < 0 || node.intValue() > MAX_ID) {
            throw problem(where + " must be a token id from 0 to " + MAX_ID + ", found " + describe(node));
        }
        return node.intValue();
    }

    private static boolean isUnset(JsonNode node) {
        return node == null || node.isNull();
    }

    private static boolean isType(JsonNode node, String type) {
        return node != null && node.isObject() && type.equals(node.path("type").asText());
    }

    /** A JSON rendering short enough for an error message. */
    private static String describe(JsonNode node) {
        if (node == null) {
            return "nothing";
        }
        String json = node.toString();
        return json.length() <= 80 ? json : json.substring(0, 77) + "...";
    }

    private static String quote(String text) {
        return TextNode.valueOf(text).toString();
    }

    private ModelFormatException problem(String message) {
        return new ModelFormatException(file, message);
    }
}

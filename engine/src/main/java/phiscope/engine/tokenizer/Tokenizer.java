package phiscope.engine.tokenizer;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import phiscope.engine.tokenizer.TokenizerDefinition.AddedToken;

/**
 * The Hugging Face {@code tokenizer.json} tokenizer of GPT-2 and Phi-2: added tokens cut out of
 * the raw text first, the rest split by the GPT-2 regex and byte-pair encoded word by word.
 * Encodes as {@code tokenizer.encode(text, add_special_tokens=False)} and decodes as
 * {@code decode(ids, skip_special_tokens=False)}. Immutable apart from an internal cache, so one
 * instance may serve any number of threads.
 */
public final class Tokenizer {

    private static final String END_OF_TEXT = "<|endoftext|>";

    private final Path source;
    private final String[] tokenOfId; // null where no token has the id
    private final byte[][] bytesOfId;
    private final Map<String, Integer> idOfToken;
    // Hugging Face cuts out the added tokens that match the raw text first, then those that match
    // the normalized text (no normalizer here, but the order still decides overlaps).
    private final List<AddedTokenMatcher> addedTokenPasses;
    private final BytePairEncoder bytePairEncoder;

    private Tokenizer(TokenizerDefinition definition) {
        source = definition.source();
        idOfToken = new HashMap<>(definition.vocab());
        for (AddedToken added : definition.addedTokens()) {
            idOfToken.put(added.content(), added.id());
        }
        tokenOfId = new String[idOfToken.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1];
        bytesOfId = new byte[tokenOfId.length][];
        idOfToken.forEach((token, id) -> {
            tokenOfId[id] = token;
            bytesOfId[id] = ByteLevel.bytesOf(token);
        });
        List<AddedToken> added = definition.addedTokens();
        addedTokenPasses = List.of(
                new AddedTokenMatcher(added.stream().filter(token -> !token.normalized()).toList()),
                new AddedTokenMatcher(added.stream().filter(AddedToken::normalized).toList()));
        int[] byteTokenIds = new int[256];
        for (int b = 0; b < 256; b++) {
            byteTokenIds[b] = definition.vocab().get(String.valueOf(ByteLevel.symbol(b)));
        }
        bytePairEncoder = new BytePairEncoder(byteTokenIds, definition.merges());
    }

    /**
     * Loads a Hugging Face {@code tokenizer.json} (byte-level BPE, merges as "a b" strings or as
     * pairs).
     *
     * @throws phiscope.engine.io.ModelFormatException if the file is missing, malformed, or
     *     asks for something this tokenizer does not implement
     */
    public static Tokenizer load(Path tokenizerJson) {
        return new Tokenizer(TokenizerJsonReader.read(tokenizerJson));
    }

    /**
     * The token ids of {@code text}; no BOS is added, and added tokens such as
     * {@code <|endoftext|>} in the text are matched as themselves.
     *
     * @throws IllegalArgumentException if the text holds an unpaired surrogate, which has no UTF-8
     */
    public int[] encode(String text) {
        requireWellFormed(text);
        TokenIds ids = new TokenIds(text.length() / 3 + 16);
        encodeSegment(text, 0, text.length(), 0, ids, ByteLevel.WORDS.matcher(text));
        return ids.toArray();
    }

    private void encodeSegment(String text, int from, int to, int pass, TokenIds ids, Matcher words) {
        if (pass == addedTokenPasses.size()) {
            // Opaque region bounds: like Hugging Face, the regex sees the segment as a whole text.
            words.region(from, to);
            while (words.find()) {
                ids.addAll(bytePairEncoder.encode(text.substring(words.start(), words.end())));
            }
            return;
        }
        AddedTokenMatcher addedTokens = addedTokenPasses.get(pass);
        int position = from;
        for (AddedTokenMatcher.Match match; (match = addedTokens.find(text, position, to)) != null; position = match.end()) {
            encodeSegment(text, position, match.start(), pass + 1, ids, words);
            ids.add(match.id());
        }
        encodeSegment(text, position, to, pass + 1, ids, words);
    }

    /**
     * The text of {@code ids}; bytes that are not valid UTF-8 become U+FFFD.
     *
     * @throws IllegalArgumentException for an id without a token, such as Phi-2's padding ids
     *     50295..51199 (Hugging Face skips those silently)
     */
    public String decode(int[] ids) {
        int length = 0;
        for (int id : ids) {
            length += bytesOf(id).length;
        }
        byte[] bytes = new byte[length];
        int offset = 0;
        for (int id : ids) {
            byte[] part = bytesOf(id);
            System.arraycopy(part, 0, bytes, offset, part.length);
            offset += part.length;
        }
        return LossyUtf8.decode(bytes);
    }

    /** The text of one token alone: U+FFFD where it holds only part of a character. */
    public String decode(int id) {
        return LossyUtf8.decode(bytesOf(id));
    }

    /** The token as the vocabulary spells it, e.g. "Ġworld" for " world". */
    public String token(int id) {
        requireKnown(id);
        return tokenOfId[id];
    }

    /** The id of a token spelled as in the vocabulary, e.g. "Ġworld" or "<|endoftext|>". */
    public OptionalInt id(String token) {
        Integer id = idOfToken.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The largest token id + 1 (50295 for Phi-2, whose model pads its vocabulary to 51200 rows). */
    public int vocabSize() {
        return tokenOfId.length;
    }

    /** The id of {@code <|endoftext|>}, Phi-2's BOS and EOS. */
    public int endOfText() {
        return id(END_OF_TEXT).orElseThrow(() -> new IllegalStateException(
                "the tokenizer " + source + " has no " + END_OF_TEXT + " token"));
    }

    @Override
    public String toString() {
        return "Tokenizer[" + source + ", " + vocabSize() + " ids]";
    }

    private byte[] bytesOf(int id) {
        requireKnown(id);
        return bytesOfId[id];
    }

    private void requireKnown(int id) {
        if (id < 0 || id >= tokenOfId.length || tokenOfId[id] == null) {
            throw new IllegalArgumentException("no token has id " + id + " in " + source
                    + " (ids run from 0 to " + (tokenOfId.length - 1) + ")");
        }
    }

    private static void requireWellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("cannot encode text with an unpaired surrogate U+"
                        + Integer.toHexString(c).toUpperCase() + " at index " + i);
            }
        }
    }

    /** A growable int array for the ids of one encode call. */
    private static final class TokenIds {
        private int[] ids;
        private int size;

        TokenIds(int capacity) {
            ids = new int[capacity];
        }

        void add(int id) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
            }
            ids[size++] = id;
        }

        void addAll(int[] more) {
            if (size + more.length > ids.length) {
                ids = Arrays.copyOf(ids, Math.max(size * 2, size + more.length));
            }
            System.arraycopy(more, 0, ids, size, more.length);
            size += more.length;
        }

        int[] toArray() {
            return Arrays.copyOf(ids, size);
        }
    }
}

package phiscope.engine.tokenizer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a checked {@code tokenizer.json} defines: the BPE vocabulary, the merges in rank order
 * (resolved to ids) and the added tokens. Public for exporters, which write the vocabulary into
 * other formats; encoding goes through {@link Tokenizer}.
 */
public record TokenizerDefinition(Path source, Map<String, Integer> vocab, List<Merge> merges, List<AddedToken> addedTokens) {

    /** Reads and checks {@code tokenizerJson} as {@link Tokenizer#load} does. */
    public static TokenizerDefinition read(Path tokenizerJson) {
        return TokenizerJsonReader.read(tokenizerJson);
    }

    /** Merging tokens {@code left} and {@code right} gives token {@code merged}. */
    public record Merge(int left, int right, int merged) {
    }

    /**
     * A token matched in the raw text before BPE. {@code normalized} tokens are looked for only
     * after the others have been cut out, as Hugging Face does; {@code special} ones (such as
     * {@code <|endoftext|>}) are control tokens rather than text.
     */
    public record AddedToken(int id, String content, boolean normalized, boolean special) {
    }
}

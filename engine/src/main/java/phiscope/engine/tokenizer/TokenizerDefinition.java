package phiscope.engine.tokenizer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a checked {@code tokenizer.json} defines: the BPE vocabulary, the merges in rank order
 * (resolved to ids) and the added tokens.
 */
record TokenizerDefinition(Path source, Map<String, Integer> vocab, List<Merge> merges, List<AddedToken> addedTokens) {

    /** Merging tokens {@code left} and {@code right} gives token {@code merged}. */
    record Merge(int left, int right, int merged) {
    }

    /**
     * A token matched in the raw text before BPE. {@code normalized} tokens are looked for only
     * after the others have been cut out, as Hugging Face does.
     */
    record AddedToken(int id, String content, boolean normalized) {
    }
}

package phiscope.engine.tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds added tokens in raw text: the match that starts first, and the longest of those that
 * start there (Hugging Face's Aho-Corasick "leftmost-longest").
 */
final class AddedTokenMatcher {

    record Match(int start, int end, int id) {
    }

    private static final class Node {
        final Map<Character, Node> children = new HashMap<>();
        int id = -1;
    }

    private final Node root = new Node();

    AddedTokenMatcher(List<TokenizerDefinition.AddedToken> tokens) {
        for (TokenizerDefinition.AddedToken token : tokens) {
            Node node = root;
            for (char c : token.content().toCharArray()) {
                node = node.children.computeIfAbsent(c, _ -> new Node());
            }
            node.id = token.id();
        }
    }

    /** The first match within {@code text[from, to)}, or null if there is none. */
    Match find(String text, int from, int to) {
        if (root.children.isEmpty()) {
            return null;
        }
        for (int start = from; start < to; start++) {
            Node node = root;
            Match longest = null;
            for (int i = start; i < to && (node = node.children.get(text.charAt(i))) != null; i++) {
                if (node.id >= 0) {
                    longest = new Match(start, i + 1, node.id);
                }
            }
            if (longest != null) {
                return longest;
            }
        }
        return null;
    }
}

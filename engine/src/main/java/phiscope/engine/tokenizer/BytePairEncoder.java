package phiscope.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/** Byte-pair encoding of one pre-tokenized word, merging by rank; safe to share between threads. */
final class BytePairEncoder {

    private static final int CACHE_CAPACITY = 10_000;
    // Long words rarely repeat; caching them would only cost memory.
    private static final int MAX_CACHED_WORD_LENGTH = 100;

    private record RankedMerge(int rank, int merged) {
    }

    private final int[] byteTokenIds;
    private final Map<Long, RankedMerge> mergeOfPair;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param byteTokenIds the token id of each single byte, 0..255
     * @param merges the merges, lowest rank first
     */
    BytePairEncoder(int[] byteTokenIds, List<TokenizerDefinition.Merge> merges) {
        this.byteTokenIds = byteTokenIds.clone();
        this.mergeOfPair = HashMap.newHashMap(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            TokenizerDefinition.Merge merge = merges.get(rank);
            // A pair listed twice keeps its last rank, as in Hugging Face.
            mergeOfPair.put(pair(merge.left(), merge.right()), new RankedMerge(rank, merge.merged()));
        }
    }

    /** The token ids of {@code word}; the array may be shared, so callers must not change it. */
    int[] encode(String word) {
        int[] ids = cache.get(word);
        if (ids == null) {
            ids = merge(word.getBytes(StandardCharsets.UTF_8));
            if (word.length() <= MAX_CACHED_WORD_LENGTH) {
                if (cache.size() >= CACHE_CAPACITY) {
                    cache.clear(); // cheaper than LRU bookkeeping, and a new text soon refills it
                }
                cache.put(word, ids);
            }
        }
        return ids;
    }

    /**
     * Repeatedly merges the adjacent pair of lowest rank, the leftmost among equals, until no
     * pair has a merge. Symbols form a linked list over the byte positions and candidate pairs
     * wait in a heap, so a word of n bytes costs O(n log n), not O(n^2).
     */
    private int[] merge(byte[] utf8) {
        int n = utf8.length;
        int[] symbol = new int[n];
        int[] previous = new int[n];
        int[] next = new int[n];
        boolean[] absorbed = new boolean[n];
        for (int i = 0; i < n; i++) {
            symbol[i] = byteTokenIds[utf8[i] & 0xFF];
            previous[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        // (rank << 32 | left position): the heap's order is the merge order.
        PriorityQueue<Long> candidates = new PriorityQueue<>();
        for (int i = 0; i + 1 < n; i++) {
            offer(candidates, symbol, i, i + 1);
        }
        int remaining = n;
        while (!candidates.isEmpty()) {
            long candidate = candidates.poll();
            int rank = (int) (candidate >>> 32);
            int left = (int) candidate;
            int right = next[left];
            if (absorbed[left] || right < 0) {
                continue;
            }
            RankedMerge merge = mergeOfPair.get(pair(symbol[left], symbol[right]));
            if (merge == null || merge.rank() != rank) {
                continue; // one side changed since this pair was queued
            }
            symbol[left] = merge.merged();
            absorbed[right] = true;
            remaining--;
            next[left] = next[right];
            if (next[left] >= 0) {
                previous[next[left]] = left;
                offer(candidates, symbol, left, next[left]);
            }
            if (previous[left] >= 0) {
                offer(candidates, symbol, previous[left], left);
            }
        }
        int[] ids = new int[remaining];
        for (int i = 0, k = 0; i >= 0; i = next[i]) {
            ids[k++] = symbol[i];
        }
        return ids;
    }

    private void offer(PriorityQueue<Long> candidates, int[] symbol, int left, int right) {
        RankedMerge merge = mergeOfPair.get(pair(symbol[left], symbol[right]));
        if (merge != null) {
            candidates.add((long) merge.rank() << 32 | left);
        }
    }

    private static long pair(int left, int right) {
        return (long) left << 32 | right;
    }
}

package phiscope.engine.model;

/**
 * Keys (after rotary) and values of the positions a sequence has seen, per block. Keys are laid
 * out {@code [head][head_dim][position]}, so one query's scores over many keys are vectors along
 * the positions; values {@code [head][position][head_dim]}, so the probability-weighted sum runs
 * along the head dimension.
 */
public final class KVCache {

    private final int capacity;
    private final int headDim;
    private final float[][] keys;
    private final float[][] values;
    private int length;

    public KVCache(PhiConfig config, int capacity) {
        this(config, capacity, config.maxPositions());
    }

    /** A cache for several packed sequences, each within the context, together longer than it. */
    static KVCache forPack(PhiConfig config, int tokens) {
        return new KVCache(config, tokens, Integer.MAX_VALUE);
    }

    private KVCache(PhiConfig config, int capacity, int limit) {
        if (capacity < 1 || capacity > limit) {
            throw new IllegalArgumentException("a KV cache holds 1.." + limit
                    + " positions (the model's context), not " + capacity);
        }
        this.capacity = capacity;
        this.headDim = config.headDim();
        int size = Math.multiplyExact(capacity, config.hiddenSize());
        keys = new float[config.numLayers()][size];
        values = new float[config.numLayers()][size];
    }

    public int capacity() {
        return capacity;
    }

    /** Positions stored so far. */
    public int length() {
        return length;
    }

    /** Forgets everything from {@code newLength} on, e.g. to re-run from an earlier point. */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) {
            throw new IllegalArgumentException("cannot truncate a cache of " + length + " positions to " + newLength);
        }
        length = newLength;
    }

    float[] keys(int block) {
        return keys[block];
    }

    float[] values(int block) {
        return values[block];
    }

    /** Offset of {@code (head, dim, position 0)} in a block's key array; positions follow one another. */
    int keyOffset(int head, int dim) {
        return (head * headDim + dim) * capacity;
    }

    /** Offset of {@code (head, position)} in a block's value array; the head dimension follows. */
    int valueOffset(int head, int position) {
        return (head * capacity + position) * headDim;
    }

    /** Stores rows {@code [T, H, d]} of k and v at positions {@code start ..}. */
    void store(int block, float[] k, float[] v, int start, int tokens, int heads) {
        float[] blockKeys = keys[block];
        for (int t = 0; t < tokens; t++) {
            for (int h = 0; h < heads; h++) {
                int from = (t * heads + h) * headDim;
                int keyBase = keyOffset(h, 0) + start + t;
                for (int d = 0; d < headDim; d++) {
                    blockKeys[keyBase + d * capacity] = k[from + d];
                }
                System.arraycopy(v, from, values[block], valueOffset(h, start + t), headDim);
            }
        }
    }

    void advance(int tokens) {
        length += tokens;
    }
}

package phiscope.engine.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import phiscope.engine.tensor.WeightMemory;

/**
 * Keys (after rotary) and values of the positions a sequence has seen, per block, in float32
 * off the heap, in memory mapped for it ({@link WeightMemory}): a full Phi-2 context holds
 * 1.3 GB, which closing the cache gives back to the system at once, rather than whenever the
 * garbage collector (or the C allocator) gets to it. Keys are laid out
 * {@code [head][head_dim][position]} and values {@code [head][position][head_dim]}, as
 * {@link phiscope.engine.tensor.AttentionKernels} reads them.
 */
public final class KVCache implements AutoCloseable {

    private final int capacity;
    private final int headDim;
    private final WeightMemory memory = new WeightMemory();
    private final MemorySegment[] keys;
    private final MemorySegment[] values;
    private int length;

    public KVCache(PhiConfig config, int capacity) {
        this(config, capacity, config.maxPositions(), false);
    }

    /**
     * A cache for one pass over {@code tokens} (one sequence, or several packed ones, each within
     * the context), thrown away after it. A block's keys and values are needed only while that
     * block runs, so every block uses the same memory: 1/32 of a whole cache for Phi-2.
     */
    static KVCache forOnePass(PhiConfig config, int tokens) {
        return new KVCache(config, tokens, Integer.MAX_VALUE, true);
    }

    private KVCache(PhiConfig config, int capacity, int limit, boolean blocksShareMemory) {
        if (capacity < 1 || capacity > limit) {
            throw new IllegalArgumentException("a KV cache holds 1.." + limit
                    + " positions (the model's context), not " + capacity);
        }
        this.capacity = capacity;
        this.headDim = config.headDim();
        long bytes = 4L * capacity * config.hiddenSize();
        keys = new MemorySegment[config.numLayers()];
        values = new MemorySegment[config.numLayers()];
        for (int b = 0; b < config.numLayers(); b++) {
            keys[b] = blocksShareMemory && b > 0 ? keys[0] : memory.allocate(bytes);
            values[b] = blocksShareMemory && b > 0 ? values[0] : memory.allocate(bytes);
        }
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

    MemorySegment keys(int block) {
        return keys[block];
    }

    MemorySegment values(int block) {
        return values[block];
    }

    /** Float index of {@code (head, dim, position 0)} in a block's keys; positions follow one another. */
    long keyIndex(int head, int dim) {
        return ((long) head * headDim + dim) * capacity;
    }

    /** Float index of {@code (head, position)} in a block's values; the head dimension follows. */
    long valueIndex(int head, int position) {
        return ((long) head * capacity + position) * headDim;
    }

    /** Stores rows {@code [T, H, d]} of k and v at positions {@code start ..}. */
    void store(int block, float[] k, float[] v, int start, int tokens, int heads) {
        MemorySegment blockKeys = keys[block];
        for (int t = 0; t < tokens; t++) {
            for (int h = 0; h < heads; h++) {
                int from = (t * heads + h) * headDim;
                long keyBase = keyIndex(h, 0) + start + t;
                for (int d = 0; d < headDim; d++) {
                    blockKeys.setAtIndex(ValueLayout.JAVA_FLOAT, keyBase + (long) d * capacity, k[from + d]);
                }
                MemorySegment.copy(v, from, values[block], ValueLayout.JAVA_FLOAT, 4 * valueIndex(h, start + t), headDim);
            }
        }
    }

    void advance(int tokens) {
        length += tokens;
    }

    /** Frees the cache's memory; it must not be used after. */
    @Override
    public void close() {
        memory.close();
    }
}

package phiscope.toxicity.run;

/** Items {@code from} (inclusive) to {@code to} (exclusive): one scoring block of a run. */
public record Block(int from, int to) implements java.io.Serializable {

    public Block {
        if (from < 0 || to <= from) throw new IllegalArgumentException("not a block: [" + from + ", " + to + ")");
    }

    public int size() {
        return to - from;
    }
}

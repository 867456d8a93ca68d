package phiscope.web.explore;

/**
 * {@code total} positions split into at most {@code maxBins} contiguous ranges of nearly equal
 * size: how long prompts are downsampled on the server before a pattern is sent.
 *
 * @param starts the first position of each bin
 */
record Bins(int[] starts, int total) {

    static Bins of(int total, int maxBins) {
        int count = Math.min(total, maxBins);
        int[] starts = new int[count];
        for (int i = 0; i < count; i++) {
            starts[i] = (int) ((long) i * total / count);
        }
        return new Bins(starts, total);
    }

    int count() {
        return starts.length;
    }

    boolean downsampled() {
        return starts.length < total;
    }

    int end(int bin) {
        return bin + 1 < starts.length ? starts[bin + 1] : total;
    }

    /**
     * The lower triangle of one head's causal pattern ({@code T x T} from {@code offset}),
     * each cell the largest weight among the query and key positions it covers: row {@code i}
     * holds key bins {@code 0..i}. Max keeps a sharp head (previous token, first token) visible
     * when many positions share a cell.
     */
    float[][] maxPool(float[] pattern, int offset) {
        int n = count();
        float[][] cells = new float[n][];
        for (int i = 0; i < n; i++) {
            float[] row = new float[i + 1];
            for (int q = starts[i]; q < end(i); q++) {
                int base = offset + q * total;
                for (int j = 0; j <= i; j++) {
                    int last = Math.min(end(j), q + 1);
                    for (int k = starts[j]; k < last; k++) {
                        row[j] = Math.max(row[j], pattern[base + k]);
                    }
                }
            }
            cells[i] = row;
        }
        return cells;
    }
}

package phiscope.toxicity.stats;

import java.util.Arrays;

/**
 * The two-sided Mann-Whitney U test with the defaults of {@code scipy.stats.mannwhitneyu}: U of
 * the first sample from average ranks; the exact null distribution when one sample has at most
 * eight values and there are no ties, otherwise the normal approximation with tie correction and
 * continuity correction; two-sided p clipped to 1.
 */
public final class MannWhitneyU {

    /** scipy's "auto" method uses the exact distribution only up to this sample size. */
    private static final int EXACT_MAX_SIZE = 8;

    private MannWhitneyU() {
    }

    /**
     * @param u  U of the first sample: the number of (first, second) pairs where the first value
     *           is larger, ties counting one half
     * @param p  two-sided p-value
     * @param n1 size of the first sample
     * @param n2 size of the second sample
     */
    public record Result(double u, double p, int n1, int n2) {

        /** U / (n1 n2): the probability that a first-sample value exceeds a second-sample one. */
        public double commonLanguageEffect() {
            return u / ((double) n1 * n2);
        }
    }

    /** Tests {@code first} against {@code second}; both must be non-empty and free of NaN. */
    public static Result test(double[] first, double[] second) {
        int n1 = first.length;
        int n2 = second.length;
        if (n1 == 0 || n2 == 0) throw new IllegalArgumentException("both samples must be non-empty");
        int n = n1 + n2;
        double[] values = new double[n];
        System.arraycopy(first, 0, values, 0, n1);
        System.arraycopy(second, 0, values, n1, n2);
        for (double v : values) {
            if (Double.isNaN(v)) throw new IllegalArgumentException("samples must not contain NaN");
        }

        // Sort positions by value, then give each run of equal values its average rank.
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        double[] ranks = new double[n];
        double tieTerm = 0; // sum of t^3 - t over runs of t equal values
        boolean ties = false;
        for (int start = 0; start < n; ) {
            int end = start + 1;
            while (end < n && values[order[end]] == values[order[start]]) end++;
            double averageRank = (start + 1 + end) / 2.0;
            for (int k = start; k < end; k++) ranks[order[k]] = averageRank;
            double t = end - start;
            if (t > 1) ties = true;
            tieTerm += t * t * t - t;
            start = end;
        }

        double rankSumFirst = 0;
        for (int i = 0; i < n1; i++) rankSumFirst += ranks[i];
        double u1 = rankSumFirst - n1 * (n1 + 1.0) / 2;
        double u2 = (double) n1 * n2 - u1;
        double uMax = Math.max(u1, u2);

        double oneSided = (n1 > EXACT_MAX_SIZE && n2 > EXACT_MAX_SIZE) || ties
                ? normalUpperTail(uMax, n1, n2, n, tieTerm)
                : exactUpperTail((long) uMax, n1, n2);
        return new Result(u1, Math.min(1, 2 * oneSided), n1, n2);
    }

    /** P(U >= u) under the normal approximation, with tie and continuity corrections. */
    private static double normalUpperTail(double u, int n1, int n2, int n, double tieTerm) {
        double mean = (double) n1 * n2 / 2;
        double sd = Math.sqrt((double) n1 * n2 / 12 * ((n + 1) - tieTerm / ((double) n * (n - 1))));
        double z = (u - mean - 0.5) / sd;
        return StandardNormal.upperTail(z);
    }

    /**
     * P(U >= u) from the exact null distribution of U without ties. The distribution is
     * symmetric, so this is P(U <= n1 n2 - u).
     */
    private static double exactUpperTail(long u, int n1, int n2) {
        double[] counts = exactCounts(Math.min(n1, n2), Math.max(n1, n2));
        double total = 0;
        for (double c : counts) total += c;
        double tail = 0;
        for (long k = 0; k <= (long) n1 * n2 - u; k++) tail += counts[(int) k];
        return tail / total;
    }

    /**
     * How many of the C(m + n, m) orderings of two samples give U = 0, 1, ..., m n, from the
     * recurrence c(i, j, u) = c(i - 1, j, u - j) + c(i, j - 1, u): the largest value belongs to
     * the first sample (and beats all j values of the second) or to the second. Additions only, so
     * no cancellation even when the counts exceed 2^53.
     */
    private static double[] exactCounts(int m, int n) {
        // byFirstSize[i] holds c(i, j, .) for the current j.
        double[][] byFirstSize = new double[m + 1][];
        for (int i = 0; i <= m; i++) {
            byFirstSize[i] = new double[] {1}; // j = 0: a single ordering, U = 0
        }
        for (int j = 1; j <= n; j++) {
            double[] previousRow = new double[] {1}; // c(0, j, .)
            byFirstSize[0] = previousRow;
            for (int i = 1; i <= m; i++) {
                double[] withoutLastOfSecond = byFirstSize[i]; // c(i, j - 1, .)
                double[] row = new double[i * j + 1];
                for (int v = 0; v < withoutLastOfSecond.length; v++) row[v] += withoutLastOfSecond[v];
                for (int v = 0; v < previousRow.length; v++) row[v + j] += previousRow[v];
                byFirstSize[i] = row;
                previousRow = row;
            }
        }
        return byFirstSize[m];
    }
}

package phiscope.probes.linear;

import java.util.Arrays;

/** Held-out figures of a classifier. */
public final class Metrics {

    private Metrics() {
    }

    public static double accuracy(int[] predicted, int[] actual) {
        int right = 0;
        for (int i = 0; i < actual.length; i++) {
            if (predicted[i] == actual[i]) {
                right++;
            }
        }
        return (double) right / actual.length;
    }

    /**
     * The area under the ROC curve: the chance that a random positive scores above a random
     * negative, ties counting half (the Mann-Whitney statistic). NaN when one class is absent.
     */
    public static double auroc(double[] scores, boolean[] positive) {
        int n = scores.length;
        Integer[] order = new Integer[n];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        double positiveRankSum = 0;
        int positives = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double averageRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (positive[order[k]]) {
                    positiveRankSum += averageRank;
                    positives++;
                }
            }
            i = j + 1;
        }
        int negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }
}

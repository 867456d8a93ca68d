package phiscope.probes.patching;

/** The metric of a patching experiment: logit of the {@code correct} answer token minus the {@code wrong} one, at the last position. */
public record LogitDifference(int correct, int wrong) {

    public double of(float[] lastLogits) {
        if (correct < 0 || correct >= lastLogits.length || wrong < 0 || wrong >= lastLogits.length) {
            throw new IllegalArgumentException("answer tokens " + correct + " and " + wrong + " must be below the vocabulary size "
                    + lastLogits.length);
        }
        return (double) lastLogits[correct] - lastLogits[wrong];
    }
}

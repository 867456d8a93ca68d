package phiscope.probes.linear;

import java.util.Locale;

/** How a linear probe is trained. */
public enum ProbeKind {
    /** L2-regularised logistic regression on standardised features, one-vs-rest for several classes. */
    LOGISTIC,
    /** The direction from the mean of the other classes to the class mean, thresholded halfway. */
    DIFFERENCE_OF_MEANS;

    public static ProbeKind parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "logistic", "logreg" -> LOGISTIC;
            case "diff-means", "difference-of-means", "dom", "mean-diff" -> DIFFERENCE_OF_MEANS;
            default -> throw new IllegalArgumentException("unknown probe kind '" + text + "'; choose logistic or diff-means");
        };
    }

    public String label() {
        return this == LOGISTIC ? "logistic" : "diff-means";
    }
}

package phiscope.probes.linear;

import java.util.Arrays;
import java.util.List;
import phiscope.probes.Pooling;

/** Trains linear probes of one kind; {@code l2} is the logistic penalty (ignored by difference of means). */
public record ProbeTrainer(ProbeKind kind, double l2) {

    public static final double DEFAULT_L2 = 0.01;

    public ProbeTrainer {
        if (!(l2 >= 0)) {
            throw new IllegalArgumentException("the L2 penalty must be >= 0, not " + l2);
        }
    }

    /** A probe on {@code hook} from features {@code x[i]} with class indices {@code y[i]} into {@code classes}. */
    public LinearProbe train(String hook, Pooling pooling, List<String> classes, float[][] x, int[] y) {
        if (x.length == 0) {
            throw new IllegalArgumentException("no training examples");
        }
        int rows = classes.size() == 2 ? 1 : classes.size();
        int d = x[0].length;
        float[][] weights = new float[rows][];
        float[] bias = new float[rows];
        return kind == ProbeKind.LOGISTIC ? logistic(hook, pooling, classes, x, y, rows, d, weights, bias)
                : differenceOfMeans(hook, pooling, classes, x, y, rows, d, weights, bias);
    }

    private LinearProbe logistic(String hook, Pooling pooling, List<String> classes, float[][] x, int[] y,
                                 int rows, int d, float[][] weights, float[] bias) {
        float[] mean = new float[d];
        float[] scale = new float[d];
        double[][] z = standardise(x, mean, scale);
        for (int k = 0; k < rows; k++) {
            int positive = rows == 1 ? 1 : k;
            int[] target = new int[y.length];
            for (int i = 0; i < y.length; i++) {
                target[i] = y[i] == positive ? 1 : 0;
            }
            LogisticRegression.Fit fit = LogisticRegression.fit(z, target, l2);
            weights[k] = new float[d];
            for (int j = 0; j < d; j++) {
                weights[k][j] = (float) fit.weights()[j];
            }
            bias[k] = (float) fit.intercept();
        }
        return new LinearProbe(kind, hook, pooling, classes, mean, scale, weights, bias);
    }

    /** z-scores with the training mean and standard deviation (constant features keep scale 1). */
    private static double[][] standardise(float[][] x, float[] mean, float[] scale) {
        int n = x.length;
        int d = mean.length;
        for (int j = 0; j < d; j++) {
            double sum = 0;
            for (float[] row : x) {
                sum += row[j];
            }
            double mu = sum / n;
            double squares = 0;
            for (float[] row : x) {
                squares += (row[j] - mu) * (row[j] - mu);
            }
            double sd = Math.sqrt(squares / n);
            mean[j] = (float) mu;
            scale[j] = sd > 1e-6 ? (float) sd : 1f;
        }
        double[][] z = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                z[i][j] = (x[i][j] - mean[j]) / scale[j];
            }
        }
        return z;
    }

    private LinearProbe differenceOfMeans(String hook, Pooling pooling, List<String> classes, float[][] x, int[] y,
                                          int rows, int d, float[][] weights, float[] bias) {
        for (int k = 0; k < rows; k++) {
            int positive = rows == 1 ? 1 : k;
            double[] in = new double[d];
            double[] out = new double[d];
            int inCount = 0;
            for (int i = 0; i < x.length; i++) {
                double[] target = y[i] == positive ? in : out;
                inCount += y[i] == positive ? 1 : 0;
                for (int j = 0; j < d; j++) {
                    target[j] += x[i][j];
                }
            }
            int outCount = x.length - inCount;
            if (inCount == 0 || outCount == 0) {
                throw new IllegalArgumentException("difference of means needs examples of '" + classes.get(positive)
                        + "' and of the other classes in the training set");
            }
            weights[k] = new float[d];
            double threshold = 0;
            for (int j = 0; j < d; j++) {
                double muIn = in[j] / inCount;
                double muOut = out[j] / outCount;
                weights[k][j] = (float) (muIn - muOut);
                threshold += weights[k][j] * (muIn + muOut) / 2;
            }
            bias[k] = (float) -threshold;
        }
        float[] scale = new float[d];
        Arrays.fill(scale, 1f);
        return new LinearProbe(kind, hook, pooling, classes, new float[d], scale, weights, bias);
    }
}

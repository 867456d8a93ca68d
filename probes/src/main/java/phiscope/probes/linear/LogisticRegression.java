package phiscope.probes.linear;

/**
 * Binary logistic regression with an L2 penalty on the weights (not the intercept), minimising
 * {@code (1/n) sum_i [log(1 + e^{z_i}) - y_i z_i] + (l2/2) |w|^2} with {@code z = X w + b}.
 */
public final class LogisticRegression {

    /** The fitted weights and intercept, and how the optimiser finished. */
    public record Fit(double[] weights, double intercept, double loss, int iterations, boolean converged) {
    }

    private LogisticRegression() {
    }

    /** {@code x[i]} is example i's features, {@code y[i]} is 1 for the positive class and 0 otherwise. */
    public static Fit fit(double[][] x, int[] y, double l2) {
        if (x.length == 0 || x.length != y.length) {
            throw new IllegalArgumentException("logistic regression needs as many labels as examples (got " + x.length + " and "
                    + y.length + "), and at least one");
        }
        if (!(l2 >= 0)) {
            throw new IllegalArgumentException("the L2 penalty must be >= 0, not " + l2);
        }
        int n = x.length;
        int d = x[0].length;
        Lbfgs.Objective objective = (params, gradient) -> {
            java.util.Arrays.fill(gradient, 0);
            double loss = 0;
            for (int i = 0; i < n; i++) {
                double z = params[d];
                for (int j = 0; j < d; j++) {
                    z += x[i][j] * params[j];
                }
                // log(1 + e^z) without overflow, and sigmoid(z) - y for the gradient.
                loss += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y[i] * z;
                double residual = 1 / (1 + Math.exp(-z)) - y[i];
                for (int j = 0; j < d; j++) {
                    gradient[j] += residual * x[i][j];
                }
                gradient[d] += residual;
            }
            double penalty = 0;
            for (int j = 0; j <= d; j++) {
                gradient[j] /= n;
            }
            for (int j = 0; j < d; j++) {
                penalty += params[j] * params[j];
                gradient[j] += l2 * params[j];
            }
            return loss / n + 0.5 * l2 * penalty;
        };
        Lbfgs.Result result = Lbfgs.minimize(objective, new double[d + 1], 1000, 1e-7);
        return new Fit(java.util.Arrays.copyOf(result.x(), d), result.x()[d], result.value(), result.iterations(), result.converged());
    }
}

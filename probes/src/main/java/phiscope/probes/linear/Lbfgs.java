package phiscope.probes.linear;

/**
 * Limited-memory BFGS (Nocedal &amp; Wright, algorithm 7.4/7.5) with a backtracking Armijo line
 * search, for smooth convex objectives such as regularised logistic regression.
 */
public final class Lbfgs {

    /** A differentiable function: returns f(x) and writes its gradient into {@code gradient}. */
    @FunctionalInterface
    public interface Objective {
        double valueAndGradient(double[] x, double[] gradient);
    }

    /** Where the search stopped; {@code converged} when the gradient's largest entry fell below the tolerance. */
    public record Result(double[] x, double value, int iterations, boolean converged) {
    }

    private static final int MEMORY = 10;
    private static final double ARMIJO = 1e-4;

    private Lbfgs() {
    }

    public static Result minimize(Objective f, double[] start, int maxIterations, double gradientTolerance) {
        int n = start.length;
        double[] x = start.clone();
        double[] g = new double[n];
        double value = f.valueAndGradient(x, g);
        double[][] s = new double[MEMORY][];
        double[][] y = new double[MEMORY][];
        double[] rho = new double[MEMORY];
        int stored = 0;
        double[] direction = new double[n];
        double[] alpha = new double[MEMORY];
        double[] nextX = new double[n];
        double[] nextG = new double[n];
        for (int iteration = 0; iteration < maxIterations; iteration++) {
            if (maxAbs(g) < gradientTolerance) {
                return new Result(x, value, iteration, true);
            }
            // Two-loop recursion: direction = -H g from the stored curvature pairs, newest first.
            for (int i = 0; i < n; i++) {
                direction[i] = -g[i];
            }
            for (int k = stored - 1; k >= 0; k--) {
                alpha[k] = rho[k] * dot(s[k], direction);
                axpy(-alpha[k], y[k], direction);
            }
            double gamma = stored > 0 ? dot(s[stored - 1], y[stored - 1]) / dot(y[stored - 1], y[stored - 1])
                    : 1 / Math.max(1, Math.sqrt(dot(g, g)));
            for (int i = 0; i < n; i++) {
                direction[i] *= gamma;
            }
            for (int k = 0; k < stored; k++) {
                double beta = rho[k] * dot(y[k], direction);
                axpy(alpha[k] - beta, s[k], direction);
            }
            double slope = dot(g, direction);
            if (slope >= 0) {
                // Not a descent direction (numerical trouble): restart from steepest descent.
                stored = 0;
                for (int i = 0; i < n; i++) {
                    direction[i] = -g[i];
                }
                slope = -dot(g, g);
            }
            double step = 1;
            double nextValue;
            while (true) {
                for (int i = 0; i < n; i++) {
                    nextX[i] = x[i] + step * direction[i];
                }
                nextValue = f.valueAndGradient(nextX, nextG);
                if (nextValue <= value + ARMIJO * step * slope || step < 1e-20) {
                    break;
                }
                step *= 0.5;
            }
            double[] sk = new double[n];
            double[] yk = new double[n];
            for (int i = 0; i < n; i++) {
                sk[i] = nextX[i] - x[i];
                yk[i] = nextG[i] - g[i];
            }
            double sy = dot(sk, yk);
            if (sy > 1e-12) {
                if (stored == MEMORY) {
                    System.arraycopy(s, 1, s, 0, MEMORY - 1);
                    System.arraycopy(y, 1, y, 0, MEMORY - 1);
                    System.arraycopy(rho, 1, rho, 0, MEMORY - 1);
                    stored--;
                }
                s[stored] = sk;
                y[stored] = yk;
                rho[stored] = 1 / sy;
                stored++;
            }
            boolean stalled = Math.abs(value - nextValue) <= 1e-15 * Math.max(1, Math.abs(value));
            System.arraycopy(nextX, 0, x, 0, n);
            System.arraycopy(nextG, 0, g, 0, n);
            value = nextValue;
            if (stalled) {
                return new Result(x, value, iteration + 1, maxAbs(g) < gradientTolerance);
            }
        }
        return new Result(x, value, maxIterations, maxAbs(g) < gradientTolerance);
    }

    static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static double maxAbs(double[] v) {
        double max = 0;
        for (double d : v) {
            max = Math.max(max, Math.abs(d));
        }
        return max;
    }
}

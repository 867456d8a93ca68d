package phiscope.probes.linear;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogisticRegressionTest {

    @Test
    void lbfgsFindsTheRosenbrockMinimum() {
        Lbfgs.Result r = Lbfgs.minimize((x, g) -> {
            double a = 1 - x[0];
            double b = x[1] - x[0] * x[0];
            g[0] = -2 * a - 400 * x[0] * b;
            g[1] = 200 * b;
            return a * a + 100 * b * b;
        }, new double[] {-1.2, 1}, 500, 1e-9);
        assertTrue(r.converged());
        assertEquals(1, r.x()[0], 1e-6);
        assertEquals(1, r.x()[1], 1e-6);
    }

    @Test
    void symmetricOneFeatureProblemHasTheHandDerivedOptimum() {
        // x = -1 (label 0) and +1 (label 1): by symmetry b = 0, and d/dw = -sigmoid(-w) + l2 w = 0.
        double l2 = 0.1;
        double low = 0;
        double high = 100;
        for (int i = 0; i < 200; i++) {
            double w = (low + high) / 2;
            if (l2 * w - 1 / (1 + Math.exp(w)) < 0) {
                low = w;
            } else {
                high = w;
            }
        }
        LogisticRegression.Fit fit = LogisticRegression.fit(new double[][] {{-1}, {1}}, new int[] {0, 1}, l2);
        assertTrue(fit.converged());
        assertEquals(low, fit.weights()[0], 1e-6);
        assertEquals(0, fit.intercept(), 1e-7);
        assertEquals(1.6335, low, 1e-4, "w = 10 sigmoid(-w)");
    }

    @Test
    void theGradientVanishesAtTheFit() {
        SplittableRandom random = new SplittableRandom(7);
        int n = 60;
        int d = 5;
        double[][] x = new double[n][d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = random.nextGaussian();
            }
            y[i] = x[i][0] - 0.5 * x[i][1] + random.nextGaussian() > 0 ? 1 : 0;
        }
        double l2 = 0.05;
        LogisticRegression.Fit fit = LogisticRegression.fit(x, y, l2);
        double[] gradient = new double[d + 1];
        for (int i = 0; i < n; i++) {
            double z = fit.intercept();
            for (int j = 0; j < d; j++) {
                z += fit.weights()[j] * x[i][j];
            }
            double r = 1 / (1 + Math.exp(-z)) - y[i];
            for (int j = 0; j < d; j++) {
                gradient[j] += r * x[i][j] / n;
            }
            gradient[d] += r / n;
        }
        for (int j = 0; j < d; j++) {
            assertEquals(0, gradient[j] + l2 * fit.weights()[j], 1e-6, "weight " + j);
        }
        assertEquals(0, gradient[d], 1e-6, "intercept");
        assertThrows(IllegalArgumentException.class, () -> LogisticRegression.fit(x, new int[3], l2));
    }

    @Test
    void matchesNewtonsMethodInNumpy(@TempDir Path dir) throws IOException, InterruptedException {
        assumeTrue(hasNumpy(), "python3 with numpy is not installed");
        SplittableRandom random = new SplittableRandom(11);
        int n = 80;
        int d = 3;
        double[][] x = new double[n][d];
        int[] y = new int[n];
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = random.nextGaussian() * (j + 1);
                csv.append(x[i][j]).append(',');
            }
            y[i] = 0.8 * x[i][0] + 0.3 * x[i][2] + random.nextGaussian() > 0.2 ? 1 : 0;
            csv.append(y[i]).append('\n');
        }
        Path data = dir.resolve("data.csv");
        Files.writeString(data, csv);
        double l2 = 0.02;
        // Newton's method on the same objective: mean log-loss + l2/2 |w|^2, intercept unpenalised.
        String script = """
                import sys
                import numpy as np
                a = np.loadtxt(sys.argv[1], delimiter=',')
                X = np.hstack([a[:, :-1], np.ones((len(a), 1))]); y = a[:, -1]; n, k = X.shape
                l2 = float(sys.argv[2]); P = l2 * np.eye(k); P[-1, -1] = 0
                w = np.zeros(k)
                for _ in range(50):
                    p = 1 / (1 + np.exp(-X @ w))
                    g = X.T @ (p - y) / n + P @ w
                    H = (X.T * (p * (1 - p))) @ X / n + P
                    w -= np.linalg.solve(H, g)
                print(' '.join(repr(float(v)) for v in w))
                """;
        Path py = dir.resolve("newton.py");
        Files.writeString(py, script);
        Process p = new ProcessBuilder("python3", py.toString(), data.toString(), String.valueOf(l2)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String[] numbers = out.split(" ");
        assertEquals(d + 1, numbers.length, out);
        LogisticRegression.Fit fit = LogisticRegression.fit(x, y, l2);
        for (int j = 0; j < d; j++) {
            assertEquals(Double.parseDouble(numbers[j]), fit.weights()[j], 1e-5, "weight " + j);
        }
        assertEquals(Double.parseDouble(numbers[d]), fit.intercept(), 1e-5);
    }

    static boolean hasNumpy() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}

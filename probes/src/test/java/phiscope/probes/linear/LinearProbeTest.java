package phiscope.probes.linear;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.io.ModelFormatException;
import phiscope.probes.Pooling;

class LinearProbeTest {

    @Test
    void differenceOfMeansIsTheMeanDifferenceThresholdedHalfway() {
        float[][] x = {{1, 0}, {3, 0}, {0, 2}, {0, 4}};
        int[] y = {1, 1, 0, 0};
        LinearProbe probe = new ProbeTrainer(ProbeKind.DIFFERENCE_OF_MEANS, 0).train("h", Pooling.LAST, List.of("a", "b"), x, y);
        // mean(b) = (2, 0), mean(a) = (0, 3): w = (2, -3), midpoint (1, 1.5), b = -(2 - 4.5) = 2.5.
        assertArrayEquals(new float[] {2, -3}, probe.weights()[0]);
        assertEquals(2.5f, probe.bias()[0]);
        assertEquals(0, probe.logits(new float[] {1, 1.5f})[0], 1e-6);
        assertEquals(1, probe.predict(new float[] {2, 0}));
        assertEquals(0, probe.predict(new float[] {0, 3}));
    }

    @Test
    void logisticProbesSeparateSeparableClassesAndSaveExactly(@TempDir Path dir) throws Exception {
        SplittableRandom random = new SplittableRandom(3);
        int n = 90;
        float[][] x = new float[n][4];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 4; j++) {
                x[i][j] = (float) (random.nextGaussian() * 0.3 + (j == y[i] ? 3 : 0) + 10 * j);
            }
        }
        LinearProbe probe = new ProbeTrainer(ProbeKind.LOGISTIC, 0.01).train("blocks.1.hook_resid_post", Pooling.MEAN,
                List.of("x", "y", "z"), x, y);
        assertEquals(3, probe.weights().length, "one-vs-rest rows for three classes");
        int right = 0;
        for (int i = 0; i < n; i++) {
            right += probe.predict(x[i]) == y[i] ? 1 : 0;
            assertEquals(1, java.util.Arrays.stream(probe.probabilities(x[i])).sum(), 1e-9);
        }
        assertEquals(n, right);

        probe.save(dir.resolve("three"), null);
        assertTrue(Files.exists(dir.resolve("three.json")) && Files.exists(dir.resolve("three.safetensors")));
        LinearProbe loaded = LinearProbe.load(dir.resolve("three.safetensors"));
        assertEquals(probe.hook(), loaded.hook());
        assertEquals(probe.pooling(), loaded.pooling());
        assertEquals(probe.classes(), loaded.classes());
        for (float[] row : x) {
            assertArrayEquals(probe.logits(row), loaded.logits(row), 0.0);
        }
        Files.writeString(dir.resolve("three.json"), "{\"kind\": \"logistic\"}");
        assertThrows(ModelFormatException.class, () -> LinearProbe.load(dir.resolve("three")));
        assertThrows(IllegalArgumentException.class, () -> probe.logits(new float[3]));
    }
}

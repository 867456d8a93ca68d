package phiscope.probes.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.tensor.WorkerPool;

/** The trainer on data made from a known dictionary, where a good SAE must find it. */
class SaeTrainerTest {

    private static final int D = 16;
    private static final int ATOMS = 32;

    /** Rows that are each the sum of two of {@code ATOMS} random unit directions with positive weights, plus an offset. */
    private static float[] sparseData(int rows, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] atoms = new float[ATOMS * D];
        for (int i = 0; i < atoms.length; i++) {
            atoms[i] = (float) (random.nextDouble() * 2 - 1);
        }
        SaeTrainer.normaliseRows(atoms, ATOMS, D);
        float[] data = new float[rows * D];
        SplittableRandom draws = new SplittableRandom(seed + 1);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < 2; j++) {
                int atom = draws.nextInt(ATOMS);
                float weight = (float) (1 + draws.nextDouble());
                for (int i = 0; i < D; i++) {
                    data[r * D + i] += weight * atoms[atom * D + i];
                }
            }
            data[r * D] += 3f;
        }
        return data;
    }

    private static double explainedVariance(SparseAutoencoder sae, float[] data, int rows) {
        SparseAutoencoder.Encoding encoding = sae.encode(data, rows);
        float[] recons = sae.decode(encoding);
        double[] mean = new double[D];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < D; i++) {
                mean[i] += data[r * D + i] / (double) rows;
            }
        }
        double error = 0;
        double variance = 0;
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < D; i++) {
                error += Math.pow(data[r * D + i] - recons[r * D + i], 2);
                variance += Math.pow(data[r * D + i] - mean[i], 2);
            }
        }
        return 1 - error / variance;
    }

    @Test
    void aTopkSaeRecoversASparseDictionaryAndKeepsItsDecoderRowsAtUnitNorm(@TempDir java.nio.file.Path dir) {
        int rows = 4096;
        float[] train = sparseData(rows, 1);
        SaeTrainer.Settings settings = new SaeTrainer.Settings("blocks.0.hook_resid_post", SaeConfig.Architecture.TOPK, 64, 2, 0f,
                3e-3f, 256, 200_000, 20_000, 7);
        SaeTrainer trainer;
        double first = 0;
        SaeTrainer.StepStats last = null;
        try (WorkerPool pool = new WorkerPool(2)) {
            trainer = SaeTrainer.initialise(settings, D, train, rows, pool);
            float[] batch = new float[256 * D];
            for (int step = 0; step * 256 < settings.tokens(); step++) {
                int start = (step * 256) % rows;
                System.arraycopy(train, start * D, batch, 0, 256 * D);
                last = trainer.step(batch, 256);
                if (step == 0) {
                    first = last.mse();
                }
            }
        }
        assertTrue(last.mse() < first / 10, "mse went from " + first + " to " + last.mse());
        assertEquals(2.0, last.l0(), 1e-9);
        float[] dec = trainer.decoderWeights();
        for (int f = 0; f < 64; f++) {
            double norm = 0;
            for (int i = 0; i < D; i++) {
                norm += dec[f * D + i] * dec[f * D + i];
            }
            assertEquals(1.0, Math.sqrt(norm), 1e-5, "decoder row " + f);
        }
        SaeTrainingTest.saveAndCheck(dir, trainer, settings);
        SparseAutoencoder sae = SparseAutoencoder.load(dir);
        double heldOut = explainedVariance(sae, sparseData(1024, 1), 1024);
        assertTrue(heldOut > 0.9, "explained variance " + heldOut);
    }

    @Test
    void theGeometricMedianIgnoresAnOutlierThatPullsTheMean() {
        float[] rows = {0, 0, 1, 0, 0, 1, 1, 1, 1000, 1000};
        float[] median = SaeTrainer.geometricMedian(rows, 5, 2);
        assertTrue(median[0] < 1.5 && median[1] < 1.5, median[0] + ", " + median[1]);
    }

    @Test
    void settingsOutOfRangeAreRefusedWithTheOptionName() {
        IllegalArgumentException k = assertThrows(IllegalArgumentException.class, () -> new SaeTrainer.Settings("h",
                SaeConfig.Architecture.TOPK, 16, 17, 0f, 1e-3f, 8, 100, 100, 0));
        assertTrue(k.getMessage().contains("--k must be from 1 to --d-sae (16), not 17"), k.getMessage());
        IllegalArgumentException gated = assertThrows(IllegalArgumentException.class, () -> new SaeTrainer.Settings("h",
                SaeConfig.Architecture.GATED, 16, 0, 0f, 1e-3f, 8, 100, 100, 0));
        assertTrue(gated.getMessage().contains("gated is not one of them"), gated.getMessage());
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class, () -> new SaeTrainer.Settings("h",
                SaeConfig.Architecture.TOPK, 0, 1, 0f, 1e-3f, 8, 100, 100, 0));
        assertTrue(width.getMessage().contains("--d-sae must be at least 1, not 0"), width.getMessage());
        IllegalArgumentException rate = assertThrows(IllegalArgumentException.class, () -> new SaeTrainer.Settings("h",
                SaeConfig.Architecture.TOPK, 16, 1, 0f, Float.NaN, 8, 100, 100, 0));
        assertTrue(rate.getMessage().contains("--lr must be a positive number, not NaN"), rate.getMessage());
    }
}

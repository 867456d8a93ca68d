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

    /** A trainer after {@code settings.tokens()} tokens of {@link #sparseData}, and its first and last steps' statistics. */
    private record Trained(SaeTrainer trainer, SaeTrainer.StepStats first, SaeTrainer.StepStats last) {
    }

    private static Trained train(SaeTrainer.Settings settings) {
        int rows = 4096;
        float[] data = sparseData(rows, 1);
        try (WorkerPool pool = new WorkerPool(2)) {
            SaeTrainer trainer = SaeTrainer.initialise(settings, D, data, rows, pool);
            float[] batch = new float[256 * D];
            SaeTrainer.StepStats first = null;
            SaeTrainer.StepStats last = null;
            for (int step = 0; step * 256L < settings.tokens(); step++) {
                System.arraycopy(data, (step * 256) % rows * D, batch, 0, 256 * D);
                last = trainer.step(batch, 256);
                first = first == null ? last : first;
            }
            return new Trained(trainer, first, last);
        }
    }

    private static SaeTrainer.Settings jumpRelu(float l0Coefficient) {
        return new SaeTrainer.Settings("blocks.0.hook_resid_post", SaeConfig.Architecture.JUMPRELU, 64, 0, l0Coefficient, 0.05f, 0.05f,
                3e-3f, 256, 300_000, 20_000, 7);
    }

    @Test
    void aTopkSaeRecoversASparseDictionaryAndKeepsItsDecoderRowsAtUnitNorm(@TempDir java.nio.file.Path dir) {
        SaeTrainer.Settings settings = new SaeTrainer.Settings("blocks.0.hook_resid_post", SaeConfig.Architecture.TOPK, 64, 2, 0f, 0f,
                0f, 3e-3f, 256, 200_000, 20_000, 7);
        Trained run = train(settings);
        SaeTrainer trainer = run.trainer();
        assertTrue(run.last().mse() < run.first().mse() / 10, "mse went from " + run.first().mse() + " to " + run.last().mse());
        assertEquals(2.0, run.last().l0(), 1e-9);
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

    /**
     * JumpReLU learns its thresholds: the L0 coefficient trades reconstruction for sparsity (a
     * larger one ends with fewer features firing and thresholds risen further from where they
     * started), and the saved SAE, thresholds included, reconstructs held-out rows.
     */
    @Test
    void aJumpReluSaeLearnsThresholdsThatTheL0CoefficientRaises(@TempDir java.nio.file.Path dir) {
        Trained loose = train(jumpRelu(0.01f));
        Trained sparse = train(jumpRelu(1f));
        assertTrue(sparse.last().l0() < loose.last().l0(), "L0 with coefficient 1: " + sparse.last().l0() + ", with 0.01: "
                + loose.last().l0());
        assertTrue(loose.last().mse() < loose.first().mse() / 10, "mse went from " + loose.first().mse() + " to " + loose.last().mse());
        double meanThreshold = 0;
        for (float t : sparse.trainer().threshold()) {
            meanThreshold += t / 64.0;
        }
        assertTrue(meanThreshold > 0.1, "the thresholds started at 0.05 and should have risen; their mean is " + meanThreshold);
        SaeTrainingTest.saveAndCheck(dir, sparse.trainer(), jumpRelu(1f));
        SparseAutoencoder sae = SparseAutoencoder.load(dir);
        double heldOut = explainedVariance(sae, sparseData(1024, 1), 1024);
        assertTrue(heldOut > 0.8, "explained variance " + heldOut);
        SparseAutoencoder.Encoding encoding = sae.encode(sparseData(1024, 1), 1024);
        double l0 = 0;
        for (float a : encoding.actsPost()) {
            l0 += a > 0 ? 1.0 / 1024 : 0;
        }
        assertTrue(l0 < 2 * sparse.last().l0() + 1, "the saved SAE's L0 " + l0 + " is the trained one's " + sparse.last().l0());
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
                SaeConfig.Architecture.TOPK, 16, 17, 0f, 0f, 0f, 1e-3f, 8, 100, 100, 0));
        assertTrue(k.getMessage().contains("--k must be from 1 to --d-sae (16), not 17"), k.getMessage());
        IllegalArgumentException gated = assertThrows(IllegalArgumentException.class, () -> new SaeTrainer.Settings("h",
                SaeConfig.Architecture.GATED, 16, 0, 0f, 0f, 0f, 1e-3f, 8, 100, 100, 0));
        assertTrue(gated.getMessage().contains("gated is not one of them"), gated.getMessage());
        IllegalArgumentException bandwidth = assertThrows(IllegalArgumentException.class, () -> new SaeTrainer.Settings("h",
                SaeConfig.Architecture.JUMPRELU, 16, 0, 1f, 0f, 0.001f, 1e-3f, 8, 100, 100, 0));
        assertTrue(bandwidth.getMessage().contains("--bandwidth must be a positive number, not 0.0"), bandwidth.getMessage());
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class, () -> new SaeTrainer.Settings("h",
                SaeConfig.Architecture.TOPK, 0, 1, 0f, 0f, 0f, 1e-3f, 8, 100, 100, 0));
        assertTrue(width.getMessage().contains("--d-sae must be at least 1, not 0"), width.getMessage());
        IllegalArgumentException rate = assertThrows(IllegalArgumentException.class, () -> new SaeTrainer.Settings("h",
                SaeConfig.Architecture.TOPK, 16, 1, 0f, 0f, 0f, Float.NaN, 8, 100, 100, 0));
        assertTrue(rate.getMessage().contains("--lr must be a positive number, not NaN"), rate.getMessage());
    }
}

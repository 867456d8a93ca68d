package phiscope.probes.sae;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import phiscope.engine.tensor.DType;
import phiscope.engine.tensor.Linear;
import phiscope.engine.tensor.Ops;
import phiscope.engine.tensor.RowMajorMatrix;
import phiscope.engine.tensor.WorkerPool;
import phiscope.probes.sae.SaeConfig.Architecture;

/**
 * Trains a sparse autoencoder on batches of activations with Adam, on the CPU. TopK SAEs
 * (Gao et al., "Scaling and evaluating sparse autoencoders") minimise the reconstruction's
 * squared error plus the AuxK loss, which lets the k_aux largest dead features reconstruct the
 * remaining error so they come back to life; standard SAEs minimise squared error plus an L1
 * penalty on the feature activations; JumpReLU SAEs (Rajamanoharan et al., "Jumping Ahead")
 * minimise squared error plus an L0 penalty, learning one threshold per feature through the
 * straight-through estimator with a rectangle kernel of width {@code bandwidth}, as SAELens's
 * {@code JumpReLUTrainingSAE} does (thresholds held as their logarithm, so they stay positive).
 * Decoder rows are kept at unit norm after every step (so the L1 penalty cannot be dodged by
 * shrinking activations and growing the decoder). The encoder
 * starts as the decoder's transpose, b_dec at the geometric median of a sample. The learning
 * rate decays linearly to zero over the last fifth of the tokens.
 *
 * <p>The encoder is held transposed, one row of d_in per feature, so that a feature's
 * pre-activation is one dot product and its gradient one scaled row; {@link #encoderWeights}
 * gives W_enc back in SAELens's [d_in, d_sae] layout.
 */
public final class SaeTrainer {

    /** Settings of one training run; everything that changes the numbers. */
    /**
     * Settings of one training run; everything that changes the numbers. {@code sparsity} is the
     * L1 coefficient of a standard SAE and the L0 coefficient of a JumpReLU one; {@code bandwidth}
     * and {@code initialThreshold} are JumpReLU's (SAELens's defaults: 0.001 each), 0 otherwise.
     */
    public record Settings(String hookName, Architecture architecture, int dSae, int k, float sparsity, float bandwidth,
            float initialThreshold, float learningRate, int batchSize, long tokens, long deadWindowTokens, long seed) {

        public Settings {
            if (architecture == Architecture.GATED) {
                throw new IllegalArgumentException("phiscope trains topk, standard and jumprelu SAEs; gated is not one of them yet");
            }
            requirePositive("--d-sae", dSae);
            requirePositive("--batch", batchSize);
            requirePositive("--tokens", tokens);
            requirePositive("--dead-window", deadWindowTokens);
            if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
                throw new IllegalArgumentException("--lr must be a positive number, not " + learningRate);
            }
            if (architecture == Architecture.TOPK && (k < 1 || k > dSae)) {
                throw new IllegalArgumentException("--k must be from 1 to --d-sae (" + dSae + "), not " + k);
            }
            if (architecture == Architecture.STANDARD && !(sparsity >= 0 && Float.isFinite(sparsity))) {
                throw new IllegalArgumentException("--l1 must be a finite number of at least 0, not " + sparsity);
            }
            if (architecture == Architecture.JUMPRELU) {
                if (!(sparsity >= 0 && Float.isFinite(sparsity))) {
                    throw new IllegalArgumentException("--l0 must be a finite number of at least 0, not " + sparsity);
                }
                if (!(bandwidth > 0 && Float.isFinite(bandwidth))) {
                    throw new IllegalArgumentException("--bandwidth must be a positive number, not " + bandwidth);
                }
                if (!(initialThreshold > 0 && Float.isFinite(initialThreshold))) {
                    throw new IllegalArgumentException("--threshold must be a positive number, not " + initialThreshold);
                }
            }
        }
    }

    private static void requirePositive(String option, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, not " + value);
        }
    }

    /** What one step measured, averaged over its batch. */
    public record StepStats(double mse, double auxLoss, double l0, int dead) {
    }

    private static final ValueLayout.OfFloat LITTLE_ENDIAN_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float ADAM_EPS = 1e-8f;
    /** The TopK paper's weight of the AuxK loss. */
    private static final float AUX_COEFFICIENT = 1f / 32;

    private final Settings settings;
    private final int dIn;
    private final float[] enc;
    private final float[] bEnc;
    private final float[] dec;
    private final float[] bDec;
    /** JumpReLU's log thresholds [d_sae]; empty for the other architectures. */
    private final float[] logThreshold;
    private final Adam adam;
    private final Gradients gradients;
    private final WorkerPool pool;
    private final MemorySegment encoderCopy;
    private final Linear encoder;
    /** Per step: the batch's inputs less b_dec [rows, d_in] and pre-activations [rows, d_sae], computed in parallel. */
    private float[] centred = new float[0];
    private float[] preActivations = new float[0];
    private final long[] tokensSinceFired;
    private long step;
    private long tokensTrained;

    private SaeTrainer(Settings settings, int dIn, State state, WorkerPool pool) {
        this.settings = settings;
        this.pool = pool;
        this.dIn = dIn;
        this.enc = state.enc();
        this.bEnc = state.bEnc();
        this.dec = state.dec();
        this.bDec = state.bDec();
        this.logThreshold = state.logThreshold();
        this.adam = new Adam(state.moments());
        this.gradients = new Gradients(settings.dSae(), dIn, logThreshold.length);
        this.encoderCopy = Arena.ofAuto().allocate((long) enc.length * Float.BYTES, 64);
        this.encoder = new Linear(new RowMajorMatrix("W_enc", DType.F32, settings.dSae(), dIn, encoderCopy), bEnc);
        this.tokensSinceFired = state.tokensSinceFired();
        this.step = state.step();
        this.tokensTrained = state.tokensTrained();
    }

    /** A fresh SAE: random unit decoder rows, the encoder their transpose, b_dec the geometric median of {@code sample}. */
    public static SaeTrainer initialise(Settings settings, int dIn, float[] sample, int sampleRows, WorkerPool pool) {
        int dSae = settings.dSae();
        SplittableRandom random = new SplittableRandom(settings.seed());
        float[] dec = new float[dSae * dIn];
        for (int i = 0; i < dec.length; i++) {
            dec[i] = (float) gaussian(random);
        }
        normaliseRows(dec, dSae, dIn);
        float[] logThreshold = new float[settings.architecture() == Architecture.JUMPRELU ? dSae : 0];
        Arrays.fill(logThreshold, (float) Math.log(settings.initialThreshold()));
        float[] moments = new float[2 * (2 * dSae * dIn + dSae + dIn + logThreshold.length)];
        State state = new State(dec.clone(), new float[dSae], dec, geometricMedian(sample, sampleRows, dIn), logThreshold, moments,
                new long[dSae], 0, 0);
        return new SaeTrainer(settings, dIn, state, pool);
    }

    /** A trainer continuing from a checkpointed {@link #state}. */
    public static SaeTrainer resume(Settings settings, int dIn, State state, WorkerPool pool) {
        int dSae = settings.dSae();
        if (state.enc().length != dSae * dIn || state.dec().length != dSae * dIn || state.bEnc().length != dSae
                || state.bDec().length != dIn || state.tokensSinceFired().length != dSae
                || state.logThreshold().length != (settings.architecture() == Architecture.JUMPRELU ? dSae : 0)) {
            throw new IllegalArgumentException("the checkpoint is of a different SAE shape than d_in " + dIn + ", d_sae " + dSae);
        }
        return new SaeTrainer(settings, dIn, state, pool);
    }

    public Settings settings() {
        return settings;
    }

    public long step() {
        return step;
    }

    public long tokensTrained() {
        return tokensTrained;
    }

    /** One Adam step on {@code rows} activations [rows, d_in]. */
    public StepStats step(float[] batch, int rows) {
        int dSae = settings.dSae();
        Gradients g = gradients;
        g.clear();
        encodeInParallel(batch, rows);
        float[] centred = new float[dIn];
        float[] h = new float[dSae];
        float[] recons = new float[dIn];
        float[] error = new float[dIn];
        int[] active = new int[dSae];
        float[] acts = new float[dSae];
        boolean[] dead = deadFeatures();
        int deadCount = 0;
        for (boolean d : dead) {
            deadCount += d ? 1 : 0;
        }
        int kAux = Math.min(dIn / 2, deadCount);
        boolean[] fired = new boolean[dSae];
        float[] threshold = threshold();
        double mse = 0;
        double aux = 0;
        long firing = 0;
        float scale = 2f / rows;
        for (int r = 0; r < rows; r++) {
            System.arraycopy(this.centred, r * dIn, centred, 0, dIn);
            System.arraycopy(preActivations, r * dSae, h, 0, dSae);
            int n = switch (settings.architecture()) {
                case TOPK -> largest(h, settings.k(), null, active);
                case JUMPRELU -> above(h, threshold, active);
                default -> above(h, null, active);
            };
            System.arraycopy(bDec, 0, recons, 0, dIn);
            int kept = 0;
            for (int j = 0; j < n; j++) {
                int f = active[j];
                float a = Math.max(h[f], 0f);
                if (a > 0f) {
                    Ops.addScaled(a, dec, f * dIn, recons, 0, dIn);
                    active[kept] = f;
                    acts[kept++] = a;
                    fired[f] = true;
                }
            }
            firing += kept;
            double squared = 0;
            for (int i = 0; i < dIn; i++) {
                error[i] = recons[i] - batch[r * dIn + i];
                squared += (double) error[i] * error[i];
            }
            mse += squared;
            // d(‖e‖²)/d(recons) = 2e, averaged over the batch
            for (int i = 0; i < dIn; i++) {
                g.bDec[i] += scale * error[i];
            }
            float penalty = settings.architecture() == Architecture.STANDARD ? settings.sparsity() / rows : 0f;
            for (int j = 0; j < kept; j++) {
                int f = active[j];
                Ops.addScaled(scale * acts[j], error, 0, g.dec, f * dIn, dIn);
                float dh = scale * Ops.dot(error, 0, dec, f * dIn, dIn) + penalty;
                backIntoEncoder(g, f, dh, centred);
            }
            if (settings.architecture() == Architecture.TOPK && kAux > 0) {
                aux += auxStep(g, h, dead, kAux, deadCount, error, centred, scale, active, acts);
            }
            if (settings.architecture() == Architecture.JUMPRELU) {
                thresholdStep(g, h, threshold, error, scale, rows);
            }
        }
        for (int f = 0; f < dSae; f++) {
            tokensSinceFired[f] = fired[f] ? 0 : tokensSinceFired[f] + rows;
        }
        step++;
        float lr = learningRate();
        tokensTrained += rows;
        adam.update(step, lr, g);
        normaliseRows(dec, dSae, dIn);
        return new StepStats(mse / rows, aux / rows, (double) firing / rows, deadCount);
    }

    /**
     * The dense part of a step, every feature's pre-activation for every row: the engine's tiled
     * matrix multiply over the pool's threads, on an off-heap copy of the encoder refreshed each
     * step (one dot product per row and feature would read the whole encoder once per row: at
     * Phi-2's d_in of 2560 and 16k features, 168 MB per token).
     */
    private void encodeInParallel(float[] batch, int rows) {
        int dSae = settings.dSae();
        if (centred.length < rows * dIn) {
            centred = new float[rows * dIn];
            preActivations = new float[Math.multiplyExact(rows, dSae)];
        }
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < dIn; i++) {
                centred[r * dIn + i] = batch[r * dIn + i] - bDec[i];
            }
        }
        MemorySegment.copy(enc, 0, encoderCopy, LITTLE_ENDIAN_FLOAT, 0, enc.length);
        encoder.forward(pool, centred, rows, preActivations);
    }

    /** The learning rate, constant until the last fifth of the tokens and decaying linearly to zero over it. */
    private float learningRate() {
        double decayStart = 0.8 * settings.tokens();
        double left = (settings.tokens() - tokensTrained) / (settings.tokens() - decayStart);
        return (float) (settings.learningRate() * Math.min(1.0, Math.max(0.0, left)));
    }

    /**
     * The AuxK loss for one row: the k_aux largest pre-activations among dead features reconstruct
     * the main reconstruction's error (which is a constant here), scaled by min(dead / k_aux, 1).
     */
    private double auxStep(Gradients g, float[] h, boolean[] dead, int kAux, int deadCount, float[] error, float[] centred,
            float scale, int[] active, float[] acts) {
        int n = largest(h, kAux, dead, active);
        float[] auxRecons = new float[dIn];
        int kept = 0;
        for (int j = 0; j < n; j++) {
            int f = active[j];
            if (h[f] > 0f) {
                Ops.addScaled(h[f], dec, f * dIn, auxRecons, 0, dIn);
                active[kept] = f;
                acts[kept++] = h[f];
            }
        }
        float weight = AUX_COEFFICIENT * Math.min((float) deadCount / kAux, 1f);
        // target: the residual x − recons = −error
        float[] auxError = new float[dIn];
        double squared = 0;
        for (int i = 0; i < dIn; i++) {
            auxError[i] = auxRecons[i] + error[i];
            squared += (double) auxError[i] * auxError[i];
        }
        for (int j = 0; j < kept; j++) {
            int f = active[j];
            Ops.addScaled(weight * scale * acts[j], auxError, 0, g.dec, f * dIn, dIn);
            backIntoEncoder(g, f, weight * scale * Ops.dot(auxError, 0, dec, f * dIn, dIn), centred);
        }
        return weight * squared;
    }

    /**
     * JumpReLU's threshold gradients for one row. f = h·[h > θ] and the L0 term [h > θ] are
     * step functions of θ; the straight-through estimator gives them the pseudo-derivatives
     * −(θ/ε)·K((h − θ)/ε) and −(1/ε)·K((h − θ)/ε), K the rectangle on (−½, ½), so only
     * features whose pre-activation lies within half a bandwidth of their threshold move it.
     */
    private void thresholdStep(Gradients g, float[] h, float[] threshold, float[] error, float scale, int rows) {
        float bandwidth = settings.bandwidth();
        float l0 = settings.sparsity() / rows;
        for (int f = 0; f < h.length; f++) {
            float u = (h[f] - threshold[f]) / bandwidth;
            if (u > -0.5f && u < 0.5f) {
                float dActs = scale * Ops.dot(error, 0, dec, f * dIn, dIn);
                float dThreshold = -(threshold[f] / bandwidth) * dActs - l0 / bandwidth;
                g.logThreshold[f] += threshold[f] * dThreshold; // θ = exp(log θ)
            }
        }
    }

    /** JumpReLU's thresholds, exp of the trained log thresholds (empty for the other architectures). */
    public float[] threshold() {
        float[] threshold = new float[logThreshold.length];
        for (int f = 0; f < threshold.length; f++) {
            threshold[f] = (float) Math.exp(logThreshold[f]);
        }
        return threshold;
    }

    /** The gradient of a feature's pre-activation into its encoder row, b_enc, and b_dec (which the input is shifted by). */
    private void backIntoEncoder(Gradients g, int f, float dh, float[] centred) {
        Ops.addScaled(dh, centred, 0, g.enc, f * dIn, dIn);
        g.bEnc[f] += dh;
        Ops.addScaled(-dh, enc, f * dIn, g.bDec, 0, dIn);
    }

    private boolean[] deadFeatures() {
        boolean[] dead = new boolean[settings.dSae()];
        for (int f = 0; f < dead.length; f++) {
            dead[f] = tokensSinceFired[f] >= settings.deadWindowTokens();
        }
        return dead;
    }

    /** Indices of the {@code k} largest values of {@code h} (among {@code only}, if given) into {@code out}; returns how many. */
    private static int largest(float[] h, int k, boolean[] only, int[] out) {
        int n = 0;
        float[] best = new float[k];
        for (int f = 0; f < h.length; f++) {
            if (only != null && !only[f]) {
                continue;
            }
            float v = h[f];
            if (n < k || v > best[k - 1]) {
                // insertion into the sorted list, the smallest dropping off when it is full
                int at = n < k ? n++ : k - 1;
                while (at > 0 && best[at - 1] < v) {
                    best[at] = best[at - 1];
                    out[at] = out[at - 1];
                    at--;
                }
                best[at] = v;
                out[at] = f;
            }
        }
        return n;
    }

    /** Indices of the values of {@code h} above their threshold (above 0 when there is none) into {@code out}; returns how many. */
    private static int above(float[] h, float[] threshold, int[] out) {
        int n = 0;
        for (int f = 0; f < h.length; f++) {
            if (h[f] > (threshold == null ? 0f : threshold[f])) {
                out[n++] = f;
            }
        }
        return n;
    }

    /** The trainer's whole state, for checkpoints: weights, Adam's moments, dead-feature counters and counts. */
    public record State(float[] enc, float[] bEnc, float[] dec, float[] bDec, float[] logThreshold, float[] moments,
            long[] tokensSinceFired, long step, long tokensTrained) {
    }

    public State state() {
        return new State(enc.clone(), bEnc.clone(), dec.clone(), bDec.clone(), logThreshold.clone(), adam.moments.clone(),
                tokensSinceFired.clone(), step, tokensTrained);
    }

    /** W_enc in SAELens's [d_in, d_sae] layout. */
    public float[] encoderWeights() {
        int dSae = settings.dSae();
        float[] out = new float[dIn * dSae];
        for (int f = 0; f < dSae; f++) {
            for (int i = 0; i < dIn; i++) {
                out[i * dSae + f] = enc[f * dIn + i];
            }
        }
        return out;
    }

    public float[] decoderWeights() {
        return dec.clone();
    }

    public float[] encoderBias() {
        return bEnc.clone();
    }

    public float[] decoderBias() {
        return bDec.clone();
    }

    /** Tokens since each feature last fired. */
    public long[] tokensSinceFired() {
        return tokensSinceFired.clone();
    }

    private static final class Gradients {
        final float[] enc;
        final float[] bEnc;
        final float[] dec;
        final float[] bDec;
        final float[] logThreshold;

        Gradients(int dSae, int dIn, int thresholds) {
            enc = new float[dSae * dIn];
            bEnc = new float[dSae];
            dec = new float[dSae * dIn];
            bDec = new float[dIn];
            logThreshold = new float[thresholds];
        }

        void clear() {
            Arrays.fill(enc, 0f);
            Arrays.fill(bEnc, 0f);
            Arrays.fill(dec, 0f);
            Arrays.fill(bDec, 0f);
            Arrays.fill(logThreshold, 0f);
        }
    }

    /** Adam over the parameter arrays, its first and second moments laid end to end in one array. */
    private final class Adam {
        final float[] moments;

        Adam(float[] moments) {
            this.moments = moments;
        }

        void update(long t, float lr, Gradients g) {
            float correction1 = 1f - (float) Math.pow(BETA1, t);
            float correction2 = 1f - (float) Math.pow(BETA2, t);
            int half = moments.length / 2;
            int at = 0;
            at = apply(enc, g.enc, at, half, lr, correction1, correction2);
            at = apply(bEnc, g.bEnc, at, half, lr, correction1, correction2);
            at = apply(dec, g.dec, at, half, lr, correction1, correction2);
            at = apply(bDec, g.bDec, at, half, lr, correction1, correction2);
            apply(logThreshold, g.logThreshold, at, half, lr, correction1, correction2);
        }

        private int apply(float[] param, float[] grad, int at, int half, float lr, float c1, float c2) {
            for (int i = 0; i < param.length; i++) {
                float m = BETA1 * moments[at + i] + (1 - BETA1) * grad[i];
                float v = BETA2 * moments[half + at + i] + (1 - BETA2) * grad[i] * grad[i];
                moments[at + i] = m;
                moments[half + at + i] = v;
                param[i] -= lr * (m / c1) / ((float) Math.sqrt(v / c2) + ADAM_EPS);
            }
            return at + param.length;
        }
    }

    static void normaliseRows(float[] matrix, int rows, int columns) {
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < columns; c++) {
                s += (double) matrix[r * columns + c] * matrix[r * columns + c];
            }
            float inverse = s > 0 ? (float) (1 / Math.sqrt(s)) : 0f;
            for (int c = 0; c < columns; c++) {
                matrix[r * columns + c] *= inverse;
            }
        }
    }

    /** Weiszfeld's iteration for the point minimising the summed distance to the rows: robust where the mean is pulled by outliers. */
    static float[] geometricMedian(float[] rows, int count, int d) {
        double[] median = new double[d];
        for (int r = 0; r < count; r++) {
            for (int i = 0; i < d; i++) {
                median[i] += rows[r * d + i] / (double) count;
            }
        }
        for (int iteration = 0; iteration < 50; iteration++) {
            double[] next = new double[d];
            double weights = 0;
            for (int r = 0; r < count; r++) {
                double s = 0;
                for (int i = 0; i < d; i++) {
                    double diff = rows[r * d + i] - median[i];
                    s += diff * diff;
                }
                double w = 1 / Math.max(Math.sqrt(s), 1e-8);
                weights += w;
                for (int i = 0; i < d; i++) {
                    next[i] += w * rows[r * d + i];
                }
            }
            double moved = 0;
            for (int i = 0; i < d; i++) {
                next[i] /= weights;
                moved += Math.abs(next[i] - median[i]);
            }
            median = next;
            if (moved < 1e-6 * d) {
                break;
            }
        }
        float[] out = new float[d];
        for (int i = 0; i < d; i++) {
            out[i] = (float) median[i];
        }
        return out;
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}

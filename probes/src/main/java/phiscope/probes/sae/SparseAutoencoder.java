package phiscope.probes.sae;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import phiscope.engine.io.ModelFormatException;
import phiscope.engine.io.SafeTensorsFile;
import phiscope.engine.io.Tensor;
import phiscope.engine.tensor.DType;
import phiscope.engine.tensor.Ops;
import phiscope.probes.sae.SaeConfig.Architecture;

/**
 * A sparse autoencoder in SAELens's folder format ({@code cfg.json} + {@code sae_weights.safetensors}),
 * computing what SAELens's SAE classes compute (formulas in docs/sae.md). The weights are widened
 * to float32 on the heap whatever dtype they are stored in, and every product is accumulated in
 * float32, so an F16 SAE gives the float64 reference to about 1e-5.
 */
public final class SparseAutoencoder {

    /** Input rows encoded together, so each W_enc row is read from cache once per block rather than once per token. */
    private static final int ROW_BLOCK = 8;
    private static final float LAYER_NORM_EPS = 1e-5f;

    private final SaeConfig config;
    private final Path folder;
    private final float[] wEnc;
    private final float[] wDec;
    private final float[] bDec;
    /** b_enc, or b_gate for a gated SAE. */
    private final float[] bEnc;
    /** Gated only: W_enc ⊙ exp(r_mag) and b_mag, the magnitude path. */
    private final float[] wMag;
    private final float[] bMag;
    /** JumpReLU only. */
    private final float[] threshold;
    /** TopK with rescale_acts_by_decoder_norm only: ‖W_dec[f]‖. */
    private final float[] decoderNorms;

    private SparseAutoencoder(SaeConfig config, Path folder, Weights weights) {
        this.config = config;
        this.folder = folder;
        this.wEnc = weights.get("W_enc", config.dIn(), config.dSae());
        this.wDec = weights.get("W_dec", config.dSae(), config.dIn());
        this.bDec = weights.get("b_dec", config.dIn());
        int dSae = config.dSae();
        if (config.architecture() == Architecture.GATED) {
            this.bEnc = weights.get("b_gate", dSae);
            this.bMag = weights.get("b_mag", dSae);
            float[] rMag = weights.get("r_mag", dSae);
            this.wMag = new float[wEnc.length];
            for (int i = 0; i < config.dIn(); i++) {
                for (int f = 0; f < dSae; f++) {
                    wMag[i * dSae + f] = wEnc[i * dSae + f] * (float) Math.exp(rMag[f]);
                }
            }
        } else {
            this.bEnc = weights.get("b_enc", dSae);
            this.bMag = null;
            this.wMag = null;
        }
        this.threshold = config.architecture() == Architecture.JUMPRELU ? weights.get("threshold", dSae) : null;
        this.decoderNorms = config.architecture() == Architecture.TOPK && config.rescaleActsByDecoderNorm() ? rowNorms(wDec, dSae, config.dIn()) : null;
        weights.requireAllRead();
    }

    /** Reads a SAELens SAE folder; a missing file, tensor or a wrong shape is an error naming the file and tensor. */
    public static SparseAutoencoder load(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new ModelFormatException(folder, "not a folder (a SAELens SAE is a folder holding cfg.json and sae_weights.safetensors)");
        }
        SaeConfig config = SaeConfig.read(folder.resolve("cfg.json"));
        Path weightsFile = folder.resolve("sae_weights.safetensors");
        if (!Files.isRegularFile(weightsFile)) {
            throw new ModelFormatException(weightsFile, "file not found (a SAELens SAE folder holds cfg.json and sae_weights.safetensors)");
        }
        try (Arena arena = Arena.ofConfined()) {
            return new SparseAutoencoder(config, folder, new Weights(SafeTensorsFile.open(weightsFile, arena), weightsFile));
        }
    }

    public SaeConfig config() {
        return config;
    }

    public Path folder() {
        return folder;
    }

    public int dIn() {
        return config.dIn();
    }

    public int dSae() {
        return config.dSae();
    }

    /** Row {@code feature} of W_dec: the direction the feature writes into the hook's activation. */
    public float[] decoderDirection(int feature) {
        if (feature < 0 || feature >= dSae()) {
            throw new IllegalArgumentException("feature " + feature + " is out of range: this SAE has features 0.." + (dSae() - 1));
        }
        return Arrays.copyOfRange(wDec, feature * dIn(), (feature + 1) * dIn());
    }

    /** The encoder for {@code rows} inputs [rows, d_in]: {@link #preActivate} then {@link #activate}. */
    public Encoding encode(float[] input, int rows) {
        Encoding encoding = preActivate(input, rows);
        activate(encoding);
        return encoding;
    }

    /**
     * Normalises and shifts the inputs and computes the pre-activations (for a gated SAE the
     * magnitude path's, which SAELens's {@code hook_sae_acts_pre} shows, and the gate's). The
     * feature activations are left at zero for {@link #activate}, so that hooks may edit the
     * pre-activations in between, as in SAELens.
     */
    public Encoding preActivate(float[] input, int rows) {
        int dIn = dIn();
        if (input.length != rows * dIn) {
            throw new IllegalArgumentException("the SAE reads rows of " + dIn + " values; got " + input.length + " values for "
                    + rows + " rows");
        }
        RowScaling scaling = RowScaling.of(config.normalization(), input, rows, dIn);
        float[] shifted = scaling.normalize(input, rows, dIn);
        if (config.applyBDecToInput()) {
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < dIn; i++) {
                    shifted[r * dIn + i] -= bDec[i];
                }
            }
        }
        float[] pre = affine(shifted, rows, wEnc, bEnc);
        if (config.architecture() == Architecture.GATED) {
            return new Encoding(rows, affine(shifted, rows, wMag, bMag), pre, new float[rows * dSae()], scaling);
        }
        return new Encoding(rows, pre, null, new float[rows * dSae()], scaling);
    }

    /** Computes the feature activations from the pre-activations, in place in {@code encoding.actsPost()}. */
    public void activate(Encoding encoding) {
        int dSae = dSae();
        int rows = encoding.rows();
        float[] pre = encoding.actsPre();
        float[] post = encoding.actsPost();
        switch (config.architecture()) {
            case STANDARD -> {
                for (int i = 0; i < post.length; i++) {
                    post[i] = Math.max(pre[i], 0f);
                }
            }
            case JUMPRELU -> {
                for (int r = 0; r < rows; r++) {
                    for (int f = 0; f < dSae; f++) {
                        float h = pre[r * dSae + f];
                        post[r * dSae + f] = h > threshold[f] ? Math.max(h, 0f) : 0f;
                    }
                }
            }
            case TOPK -> {
                float[] ranked = pre;
                if (decoderNorms != null) {
                    ranked = pre.clone();
                    for (int r = 0; r < rows; r++) {
                        for (int f = 0; f < dSae; f++) {
                            ranked[r * dSae + f] *= decoderNorms[f];
                        }
                    }
                }
                for (int r = 0; r < rows; r++) {
                    keepLargest(ranked, r * dSae, dSae, config.k(), post);
                }
            }
            case GATED -> {
                // The gate decides which features fire; the magnitude path says how strongly.
                float[] gate = encoding.gatePre();
                for (int i = 0; i < post.length; i++) {
                    post[i] = gate[i] > 0f ? Math.max(pre[i], 0f) : 0f;
                }
            }
            default -> throw new IllegalStateException();
        }
    }

    /** The reconstruction [rows, d_in] of (possibly edited) feature activations, with the input's normalisation undone. */
    public float[] decode(Encoding encoding) {
        int dIn = dIn();
        int dSae = dSae();
        float[] acts = encoding.actsPost();
        float[] out = new float[encoding.rows() * dIn];
        for (int r = 0; r < encoding.rows(); r++) {
            int o = r * dIn;
            System.arraycopy(bDec, 0, out, o, dIn);
            for (int f = 0; f < dSae; f++) {
                float a = acts[r * dSae + f];
                if (a != 0f) {
                    // SAELens's topk decode divides the rescaled activations again, so the decoder acts as if normalised.
                    Ops.addScaled(decoderNorms == null ? a : a / decoderNorms[f], wDec, f * dIn, out, o, dIn);
                }
            }
        }
        encoding.scaling().undo(out, encoding.rows(), dIn);
        return out;
    }

    /** {@code rows × W + b} for W [d_in, d_sae]: each row of W is streamed once per block of input rows. */
    private float[] affine(float[] x, int rows, float[] w, float[] b) {
        int dIn = dIn();
        int dSae = dSae();
        float[] out = new float[rows * dSae];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(b, 0, out, r * dSae, dSae);
        }
        for (int start = 0; start < rows; start += ROW_BLOCK) {
            int end = Math.min(rows, start + ROW_BLOCK);
            for (int i = 0; i < dIn; i++) {
                for (int r = start; r < end; r++) {
                    float a = x[r * dIn + i];
                    if (a != 0f) {
                        Ops.addScaled(a, w, i * dSae, out, r * dSae, dSae);
                    }
                }
            }
        }
        return out;
    }

    /** Writes ReLU of the {@code k} largest of {@code h[offset, offset + n)} into {@code out}; ties go to the lower index. */
    private static void keepLargest(float[] h, int offset, int n, int k, float[] out) {
        float[] sorted = Arrays.copyOfRange(h, offset, offset + n);
        Arrays.sort(sorted);
        float kth = sorted[n - k];
        int above = 0;
        for (int f = 0; f < n; f++) {
            if (h[offset + f] > kth) {
                above++;
            }
        }
        int tiesLeft = k - above;
        for (int f = 0; f < n; f++) {
            float v = h[offset + f];
            boolean kept = v > kth || (v == kth && tiesLeft-- > 0);
            out[offset + f] = kept ? Math.max(v, 0f) : 0f;
        }
    }

    private static float[] rowNorms(float[] matrix, int rows, int columns) {
        float[] norms = new float[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < columns; c++) {
                double v = matrix[r * columns + c];
                s += v * v;
            }
            norms[r] = (float) Math.sqrt(s);
        }
        return norms;
    }

    /**
     * One encoding of {@code rows} inputs, row-major: the pre-activations [rows, d_sae] (for a gated
     * SAE the magnitude path's; the gate's are {@code gatePre}, null otherwise) and the feature
     * activations, which hooks may edit before {@link #decode}; {@code scaling} is the input
     * normalisation that decode undoes.
     */
    public record Encoding(int rows, float[] actsPre, float[] gatePre, float[] actsPost, RowScaling scaling) {
    }

    /**
     * SAELens's input normalisation, per row: {@code (x − shift) · in} on the way in and
     * {@code y · out + shift} on the way out. For {@code layer_norm} SAELens divides by σ + 1e-5
     * (σ with Bessel's correction, as {@code torch.std}) but multiplies back by σ alone.
     * {@code expected_average_only_in} is the identity here: SAELens folds its scaling factor into
     * the weights when it saves a trained SAE, so the folder carries no factor to apply.
     */
    public record RowScaling(float[] shift, float[] in, float[] out) {

        static RowScaling of(SaeConfig.Normalization normalization, float[] x, int rows, int d) {
            return switch (normalization) {
                case NONE, EXPECTED_AVERAGE_ONLY_IN -> new RowScaling(null, null, null);
                case CONSTANT_NORM_RESCALE -> {
                    float[] in = new float[rows];
                    float[] out = new float[rows];
                    for (int r = 0; r < rows; r++) {
                        double s = 0;
                        for (int i = 0; i < d; i++) {
                            s += (double) x[r * d + i] * x[r * d + i];
                        }
                        in[r] = (float) (Math.sqrt(d) / Math.sqrt(s));
                        out[r] = 1f / in[r];
                    }
                    yield new RowScaling(new float[rows], in, out);
                }
                case LAYER_NORM -> {
                    float[] shift = new float[rows];
                    float[] in = new float[rows];
                    float[] out = new float[rows];
                    for (int r = 0; r < rows; r++) {
                        double mean = 0;
                        for (int i = 0; i < d; i++) {
                            mean += x[r * d + i];
                        }
                        mean /= d;
                        double squares = 0;
                        for (int i = 0; i < d; i++) {
                            double c = x[r * d + i] - mean;
                            squares += c * c;
                        }
                        float std = (float) Math.sqrt(squares / (d - 1));
                        shift[r] = (float) mean;
                        in[r] = 1f / (std + LAYER_NORM_EPS);
                        out[r] = std;
                    }
                    yield new RowScaling(shift, in, out);
                }
            };
        }

        float[] normalize(float[] x, int rows, int d) {
            float[] y = x.clone();
            if (in != null) {
                for (int r = 0; r < rows; r++) {
                    for (int i = 0; i < d; i++) {
                        y[r * d + i] = (y[r * d + i] - shift[r]) * in[r];
                    }
                }
            }
            return y;
        }

        void undo(float[] y, int rows, int d) {
            if (out != null) {
                for (int r = 0; r < rows; r++) {
                    for (int i = 0; i < d; i++) {
                        y[r * d + i] = y[r * d + i] * out[r] + shift[r];
                    }
                }
            }
        }
    }

    /** The tensors of sae_weights.safetensors, read by name and shape; tensors no architecture uses are refused. */
    private static final class Weights {
        private final SafeTensorsFile file;
        private final Path path;
        private final Set<String> read = new TreeSet<>();

        Weights(SafeTensorsFile file, Path path) {
            this.file = file;
            this.path = path;
        }

        float[] get(String name, int... shape) {
            if (!file.contains(name)) {
                throw new ModelFormatException(path, "has no tensor '" + name + "' (this architecture needs it; the file holds "
                        + String.join(", ", new TreeSet<>(file.entries().keySet())) + ")");
            }
            Tensor tensor = file.tensor(name);
            if (!List.of(DType.F32, DType.F16, DType.BF16).contains(tensor.dtype())) {
                throw new ModelFormatException(path, "tensor '" + name + "' is " + tensor.dtype() + "; a SAE is F32, F16 or BF16");
            }
            if (!tensor.hasShape(shape)) {
                throw new ModelFormatException(path, "tensor '" + name + "' has shape " + Arrays.toString(tensor.shape()) + ", but cfg.json's "
                        + "d_in and d_sae make it " + Arrays.toString(shape));
            }
            read.add(name);
            return tensor.toFloatArray();
        }

        /** A tensor left over means the folder is a different architecture than cfg.json says. */
        void requireAllRead() {
            Set<String> extra = new TreeSet<>(file.entries().keySet());
            extra.removeAll(read);
            if (!extra.isEmpty()) {
                throw new ModelFormatException(path, "holds " + String.join(", ", extra) + ", which the architecture cfg.json names "
                        + "does not use: is \"architecture\" right?");
            }
        }
    }
}

package phiscope.engine.tensor;

/** {@code torch.nn.LayerNorm}'s parameters and its arithmetic: {@code (x - mean) / sqrt(var + eps) * weight + bias}. */
public record LayerNorm(float[] weight, float[] bias, float eps) {

    public LayerNorm {
        if (weight.length != bias.length) {
            throw new IllegalArgumentException("a LayerNorm's weight has " + weight.length + " entries and its bias " + bias.length);
        }
    }

    public int width() {
        return weight.length;
    }

    /**
     * {@code out[r, :] = norm(x[r, :])} for {@code r < rows}, with the biased variance as torch
     * computes it; the moments are accumulated in double.
     */
    public void apply(float[] x, int rows, float[] out) {
        int width = width();
        for (int r = 0; r < rows; r++) {
            int base = r * width;
            double sum = 0;
            for (int i = 0; i < width; i++) {
                sum += x[base + i];
            }
            float mean = (float) (sum / width);
            double squares = 0;
            for (int i = 0; i < width; i++) {
                double d = x[base + i] - mean;
                squares += d * d;
            }
            float rstd = (float) (1.0 / Math.sqrt(squares / width + eps));
            for (int i = 0; i < width; i++) {
                out[base + i] = (x[base + i] - mean) * rstd * weight[i] + bias[i];
            }
        }
    }
}

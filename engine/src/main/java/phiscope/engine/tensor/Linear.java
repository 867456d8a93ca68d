package phiscope.engine.tensor;

/** {@code y = x W^T + b}, as {@code torch.nn.Linear}, with panels of output rows split across the pool. */
public record Linear(WeightMatrix weight, float[] bias) {

    public Linear {
        if (bias.length != weight.rows()) {
            throw new IllegalArgumentException(weight.name() + ": bias has " + bias.length + " entries for "
                    + weight.rows() + " output features");
        }
    }

    public int outFeatures() {
        return weight.rows();
    }

    /** {@code y[t, :] = W x[t, :] + b} for {@code t < tokens}; {@code y} holds {@code tokens * outFeatures()} floats. */
    public void forward(WorkerPool pool, float[] x, int tokens, float[] y) {
        int out = outFeatures();
        int panels = weight.panels();
        pool.forEachRange(panels, (first, end) -> {
            weight.multiply(x, tokens, y, first, end);
            int start = first * WeightMatrix.PANEL;
            int length = Math.min(out, end * WeightMatrix.PANEL) - start;
            for (int t = 0; t < tokens; t++) {
                Ops.addInPlace(y, t * out + start, bias, start, length);
            }
        });
    }
}

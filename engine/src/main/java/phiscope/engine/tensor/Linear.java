package phiscope.engine.tensor;

/** {@code y = x W^T + b}, as {@code torch.nn.Linear}, with rows of the output split across the pool. */
public record Linear(WeightMatrix weight, float[] bias) {

    public Linear {
        if (bias.length != weight.rows()) {
            throw new IllegalArgumentException(weight.name() + ": bias has " + bias.length + " entries for "
                    + weight.rows() + " output features");
        }
    }

    public int inFeatures() {
        return weight.cols();
    }

    public int outFeatures() {
        return weight.rows();
    }

    /** {@code y[t, :] = W x[t, :] + b} for {@code t < tokens}; {@code y} holds {@code tokens * outFeatures()} floats. */
    public void forward(WorkerPool pool, float[] x, int tokens, float[] y) {
        int out = outFeatures();
        pool.run(pool.chunksFor(out / WeightMatrix.ROW_BLOCK), (chunk, chunks) -> {
            int start = WorkerPool.start(out, chunk, chunks, WeightMatrix.ROW_BLOCK);
            int end = WorkerPool.start(out, chunk + 1, chunks, WeightMatrix.ROW_BLOCK);
            weight.multiply(x, tokens, y, start, end);
            for (int t = 0; t < tokens; t++) {
                Ops.addInPlace(y, t * out + start, bias, start, end - start);
            }
        });
    }
}

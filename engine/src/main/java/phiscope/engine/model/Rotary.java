package phiscope.engine.model;

/**
 * Partial rotary embeddings as transformers computes them: {@code inv_freq[j] = 1 / theta^(2j / rotary_dim)}
 * in float32, angles {@code position * inv_freq[j]}, and rotate-half (NeoX) pairing of dimension
 * {@code j} with {@code j + rotary_dim / 2} in the leading {@code rotary_dim} dimensions of each head.
 */
final class Rotary {

    private final int half;
    private final int headDim;
    private final float[] cos;
    private final float[] sin;

    Rotary(PhiConfig config) {
        int rotaryDim = config.rotaryDim();
        this.half = rotaryDim / 2;
        this.headDim = config.headDim();
        int positions = config.maxPositions();
        cos = new float[positions * half];
        sin = new float[positions * half];
        for (int j = 0; j < half; j++) {
            float exponent = (2f * j) / rotaryDim;
            float invFreq = 1f / (float) Math.pow(config.ropeTheta(), exponent);
            for (int p = 0; p < positions; p++) {
                float angle = p * invFreq;
                cos[p * half + j] = (float) Math.cos(angle);
                sin[p * half + j] = (float) Math.sin(angle);
            }
        }
    }

    /** Rotates every head of rows {@code [T, H, d]} in place, row {@code t} at {@code positions[t]}. */
    void apply(float[] x, int tokens, int heads, int[] positions) {
        for (int t = 0; t < tokens; t++) {
            int table = positions[t] * half;
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * headDim;
                for (int j = 0; j < half; j++) {
                    float a = x[base + j];
                    float b = x[base + j + half];
                    float c = cos[table + j];
                    float s = sin[table + j];
                    x[base + j] = a * c - b * s;
                    x[base + j + half] = b * c + a * s;
                }
            }
        }
    }
}

package phiscope.engine.model;

import phiscope.engine.io.Checkpoint;

/**
 * Phi's forward pass written as plainly as possible, in double precision, straight from the
 * checkpoint: the oracle for model shapes that have no Hugging Face reference file. It is itself
 * checked against the Hugging Face fixture.
 */
final class NaiveReference {

    private final PhiConfig c;
    private final Checkpoint checkpoint;

    NaiveReference(PhiConfig config, Checkpoint checkpoint) {
        this.c = config;
        this.checkpoint = checkpoint;
    }

    private double[] vector(String name) {
        float[] f = checkpoint.tensor(name).toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** Logits {@code [T][V]} for {@code ids}. */
    double[][] logits(int[] ids) {
        int t = ids.length;
        int d = c.hiddenSize();
        double[] embedding = vector("model.embed_tokens.weight");
        double[][] x = new double[t][d];
        for (int i = 0; i < t; i++) {
            System.arraycopy(embedding, ids[i] * d, x[i], 0, d);
        }
        for (int b = 0; b < c.numLayers(); b++) {
            String p = "model.layers." + b + ".";
            double[][] h = layerNorm(x, vector(p + "input_layernorm.weight"), vector(p + "input_layernorm.bias"));
            double[][] q = linear(h, p + "self_attn.q_proj");
            double[][] k = linear(h, p + "self_attn.k_proj");
            double[][] v = linear(h, p + "self_attn.v_proj");
            rotate(q);
            rotate(k);
            double[][] z = attention(q, k, v);
            double[][] attn = linear(z, p + "self_attn.dense");
            double[][] pre = linear(h, p + "mlp.fc1");
            for (double[] row : pre) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = 0.5 * row[i] * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (row[i] + 0.044715 * Math.pow(row[i], 3))));
                }
            }
            double[][] mlp = linear(pre, p + "mlp.fc2");
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < d; j++) {
                    x[i][j] += attn[i][j] + mlp[i][j];
                }
            }
        }
        double[][] h = layerNorm(x, vector("model.final_layernorm.weight"), vector("model.final_layernorm.bias"));
        String head = checkpoint.contains("lm_head.weight") ? "lm_head.weight" : "model.embed_tokens.weight";
        return linear(h, vector(head), vector("lm_head.bias"));
    }

    private double[][] linear(double[][] x, String prefix) {
        return linear(x, vector(prefix + ".weight"), vector(prefix + ".bias"));
    }

    private static double[][] linear(double[][] x, double[] w, double[] bias) {
        int out = bias.length;
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double s = bias[o];
                for (int i = 0; i < in; i++) {
                    s += w[o * in + i] * x[t][i];
                }
                y[t][o] = s;
            }
        }
        return y;
    }

    private double[][] layerNorm(double[][] x, double[] w, double[] b) {
        double[][] y = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double mean = 0;
            for (double v : x[t]) {
                mean += v;
            }
            mean /= x[t].length;
            double var = 0;
            for (double v : x[t]) {
                var += (v - mean) * (v - mean);
            }
            var /= x[t].length;
            y[t] = new double[x[t].length];
            for (int i = 0; i < x[t].length; i++) {
                y[t][i] = (x[t][i] - mean) / Math.sqrt(var + c.layerNormEps()) * w[i] + b[i];
            }
        }
        return y;
    }

    private void rotate(double[][] x) {
        int hd = c.headDim();
        int rot = c.rotaryDim();
        for (int t = 0; t < x.length; t++) {
            for (int h = 0; h < c.numHeads(); h++) {
                double[] rotated = new double[rot];
                for (int i = 0; i < rot; i++) {
                    int j = i % (rot / 2);
                    double angle = t * Math.pow(c.ropeTheta(), -2.0 * j / rot);
                    double partner = i < rot / 2 ? -x[t][h * hd + i + rot / 2] : x[t][h * hd + i - rot / 2];
                    rotated[i] = x[t][h * hd + i] * Math.cos(angle) + partner * Math.sin(angle);
                }
                System.arraycopy(rotated, 0, x[t], h * hd, rot);
            }
        }
    }

    private double[][] attention(double[][] q, double[][] k, double[][] v) {
        int hd = c.headDim();
        double[][] z = new double[q.length][c.hiddenSize()];
        for (int h = 0; h < c.numHeads(); h++) {
            for (int t = 0; t < q.length; t++) {
                double[] s = new double[t + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= t; j++) {
                    for (int i = 0; i < hd; i++) {
                        s[j] += q[t][h * hd + i] * k[j][h * hd + i];
                    }
                    s[j] /= Math.sqrt(hd);
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j <= t; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int j = 0; j <= t; j++) {
                    for (int i = 0; i < hd; i++) {
                        z[t][h * hd + i] += s[j] / sum * v[j][h * hd + i];
                    }
                }
            }
        }
        return z;
    }
}

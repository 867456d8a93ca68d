package phiscope.probes;

import java.util.Locale;

/** How a text's per-token activations become one vector: the last token's, or the mean over tokens. */
public enum Pooling {
    LAST, MEAN;

    public static Pooling parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "last" -> LAST;
            case "mean" -> MEAN;
            default -> throw new IllegalArgumentException("unknown pooling '" + text + "'; choose last or mean");
        };
    }

    /** Pools rows {@code [rows, width]} of {@code data} from {@code offset}. */
    public float[] pool(float[] data, int offset, int rows, int width) {
        float[] out = new float[width];
        if (this == LAST) {
            System.arraycopy(data, offset + (rows - 1) * width, out, 0, width);
            return out;
        }
        double[] sum = new double[width];
        for (int t = 0; t < rows; t++) {
            for (int i = 0; i < width; i++) {
                sum[i] += data[offset + t * width + i];
            }
        }
        for (int i = 0; i < width; i++) {
            out[i] = (float) (sum[i] / rows);
        }
        return out;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

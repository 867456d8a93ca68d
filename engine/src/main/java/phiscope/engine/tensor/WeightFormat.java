package phiscope.engine.tensor;

import java.util.Locale;

/**
 * How a weight matrix's values are stored: a checkpoint's own float type, or one of llama.cpp's
 * block quantizations (32 weights along a row share one float16 scale), made at load time.
 */
public enum WeightFormat {
    F32(32), F16(16), BF16(16),
    /** 8-bit integers times a per-block scale: 34 bytes per 32 weights. */
    Q8_0(8.5),
    /** 4-bit integers (0..15, offset by 8) times a per-block scale: 18 bytes per 32 weights. */
    Q4_0(4.5);

    /** Weights per block of the quantized formats. */
    public static final int BLOCK = 32;

    private final double bitsPerWeight;

    WeightFormat(double bitsPerWeight) {
        this.bitsPerWeight = bitsPerWeight;
    }

    public double bitsPerWeight() {
        return bitsPerWeight;
    }

    public boolean quantized() {
        return this == Q8_0 || this == Q4_0;
    }

    /** The float format a checkpoint dtype is read in. */
    public static WeightFormat of(DType dtype) {
        return switch (dtype) {
            case F32 -> F32;
            case F16 -> F16;
            case BF16 -> BF16;
            default -> throw new IllegalArgumentException("weights must be F32, F16 or BF16, not " + dtype);
        };
    }

    /** The name users type ({@code q8_0}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package phiscope.engine.model;

import java.util.Locale;
import java.util.Optional;
import phiscope.engine.tensor.WeightFormat;

/**
 * How a model's weights are held once loaded.
 *
 * @param storage      where the matrices live while the model runs
 * @param quantization a block quantization made at load time, or empty to keep the checkpoint's values
 */
public record WeightOptions(Storage storage, Optional<WeightFormat> quantization) {

    public enum Storage {
        /** Zero-copy slices of the mapped safetensors files, in the files' row-major layout. */
        MMAP,
        /** Copied (in their dtype, or quantized) into anonymous huge-page memory, in the kernels' panel layout. */
        MEMORY;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The checkpoint's own values, copied into memory: the faster storage (measured in benchmarks/README.md, "memory"). */
    public static final WeightOptions DEFAULT = new WeightOptions(Storage.MEMORY, Optional.empty());

    public WeightOptions {
        quantization.ifPresent(q -> {
            if (!q.quantized()) {
                throw new IllegalArgumentException("--quantize takes q8_0 or q4_0, not " + q.label());
            }
            if (storage == Storage.MMAP) {
                throw new IllegalArgumentException("quantized weights are made at load time and live in memory: "
                        + "--quantize " + q.label() + " cannot be combined with --weights mmap");
            }
        });
    }

    public static WeightOptions quantized(WeightFormat format) {
        return new WeightOptions(Storage.MEMORY, Optional.of(format));
    }

    /** {@code "memory"}, {@code "mmap"}, {@code "memory, q8_0"}. */
    public String label() {
        return storage.label() + quantization.map(q -> ", " + q.label()).orElse("");
    }
}

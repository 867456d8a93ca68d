package phiscope.benchmarks.compare;

import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import phiscope.engine.tensor.WeightFormat;

/** The workloads {@link BuildComparison} can time: each call of one returns the seconds of one run. */
final class Workloads {

    static final String USAGE = """
            one of
                    kernel FORMAT ROWSxCOLS TOKENS THREADS cold|warm   y = x W^T + b (FORMAT f16, q8_0, q4_0)
                    decode MODEL_DIR WEIGHTS THREADS                   one token through the KV cache (WEIGHTS stored, q8_0, q4_0)
                    prompt MODEL_DIR WEIGHTS THREADS TOKENS            one forward pass over a prompt""";

    private Workloads() {
    }

    /** The workload {@code args} names, loaded by {@code loader} so that it runs that build's engine. */
    static DoubleSupplier create(ClassLoader loader, String[] args) throws ReflectiveOperationException {
        String type = switch (args[0]) {
            case "kernel" -> "KernelWorkload";
            case "decode" -> "DecodeWorkload";
            case "prompt" -> "PromptWorkload";
            default -> throw new IllegalArgumentException("unknown workload " + args[0] + "; " + USAGE);
        };
        Class<?> workload = loader.loadClass(Workloads.class.getPackageName() + "." + type);
        try {
            return (DoubleSupplier) workload.getConstructor(String[].class)
                    .newInstance((Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            // A workload refuses its arguments, or the model they name, with the engine's message.
            if (e.getCause() instanceof RuntimeException refused) {
                throw new IllegalArgumentException(refused.getMessage(), refused);
            }
            throw e;
        }
    }

    /** The weight format {@code text} names (f16, q8_0, ...), or a refusal that lists them. */
    static WeightFormat format(String text) {
        for (WeightFormat format : WeightFormat.values()) {
            if (format.name().equalsIgnoreCase(text)) {
                return format;
            }
        }
        throw new IllegalArgumentException("unknown weight format '" + text + "'; one of "
                + Arrays.toString(WeightFormat.values()).toLowerCase(Locale.ROOT));
    }

    /** {@code text} as a count of at least 1, or a refusal that names {@code what}. */
    static int positive(String text, String what) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException(what + " must be a whole number of at least 1, not '" + text + "'");
    }
}

package phiscope.benchmarks.compare;

import java.util.Arrays;
import java.util.function.DoubleSupplier;

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
        return (DoubleSupplier) workload.getConstructor(String[].class)
                .newInstance((Object) Arrays.copyOfRange(args, 1, args.length));
    }
}

package phiscope.toxicity.cli;

import java.nio.file.Path;
import phiscope.toxicity.data.BadRowPolicy;
import picocli.CommandLine.Option;

/** The options every model-based audit shares. */
final class RunOptions {

    @Option(names = "--out", required = true, paramLabel = "RUNDIR",
            description = "Run folder; an interrupted run in it is resumed.")
    Path out;

    @Option(names = "--bad-rows", paramLabel = "skip|stop", defaultValue = "stop",
            converter = BadRowPolicyConverter.class,
            description = "Dataset rows with missing fields or wrong types: stop (default) or skip them, listing each.")
    BadRowPolicy badRows;

    static final class BadRowPolicyConverter implements picocli.CommandLine.ITypeConverter<BadRowPolicy> {
        @Override
        public BadRowPolicy convert(String value) {
            return switch (value.toLowerCase(java.util.Locale.ROOT)) {
                case "skip" -> BadRowPolicy.SKIP;
                case "stop" -> BadRowPolicy.STOP;
                default -> throw new picocli.CommandLine.TypeConversionException("'" + value + "' is neither skip nor stop");
            };
        }
    }
}

package phiscope.toxicity.cli;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import phiscope.engine.cli.ModelOptions;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/** The arguments a subcommand was given, written out again so that another JVM can run the same command. */
final class Invocation {

    private Invocation() {
    }

    /**
     * The command's path from {@code audit} or {@code eval} on ({@code audit toxigen}), then each option it was given with
     * the values as typed, then its positional parameters; path-valued arguments are made absolute,
     * since the other JVM may run in another working directory, and the model folder is named even
     * when it was the default (which the other JVM would look for elsewhere).
     */
    static List<String> of(CommandSpec spec, ModelOptions model) {
        Deque<String> path = new ArrayDeque<>();
        for (CommandSpec c = spec; c != null; c = c.parent()) {
            path.addFirst(c.name());
            if (c.userObject() instanceof AuditCommand || c.userObject() instanceof EvalCommand) break;
        }
        List<String> args = new ArrayList<>(path);
        ParseResult parsed = spec.commandLine().getParseResult();
        for (OptionSpec option : parsed.matchedOptions()) {
            for (String value : option.originalStringValues()) {
                args.add(option.longestName());
                args.add(absolute(option, value));
            }
        }
        if (!parsed.hasMatchedOption("--model")) args.addAll(List.of("--model", model.directory().toAbsolutePath().normalize().toString()));
        for (var positional : parsed.matchedPositionals()) {
            for (String value : positional.originalStringValues()) args.add(absolute(positional, value));
        }
        return args;
    }

    private static String absolute(ArgSpec arg, String value) {
        return arg.type() == Path.class ? Path.of(value).toAbsolutePath().normalize().toString() : value;
    }
}

package phiscope.web;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/** The whole {@code phiscope} command tree: {@code help} at every level, and help texts picocli can lay out. */
class CommandLineTest {

    /** A command of the tree and the names that lead to it from {@code phiscope}. */
    private record Node(List<String> path, CommandLine command) {
    }

    private record Outcome(int exitCode, String out, String err) {
    }

    private static Outcome run(List<String> args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args.toArray(String[]::new));
        return new Outcome(code, out.toString(), err.toString());
    }

    private static Stream<Node> tree(List<String> path, CommandLine command) {
        return Stream.concat(Stream.of(new Node(path, command)), command.getSubcommands().entrySet().stream()
                .flatMap(sub -> tree(append(path, sub.getKey()), sub.getValue())));
    }

    private static List<Node> tree() {
        return tree(List.of(), Main.commandLine()).toList();
    }

    private static List<String> append(List<String> list, String... more) {
        List<String> joined = new ArrayList<>(list);
        joined.addAll(List.of(more));
        return joined;
    }

    @Test
    void everyCommandAnswersHelpAndHelpOptionsAtAnyDepth() {
        List<Node> parents = tree().stream().filter(node -> !node.command().getSubcommands().isEmpty()).toList();
        assertTrue(parents.stream().anyMatch(node -> node.path().equals(List.of("probe"))), "probe has subcommands");
        assertTrue(parents.stream().anyMatch(node -> node.path().equals(List.of("audit"))), "audit has subcommands");
        for (Node parent : parents) {
            assertTrue(parent.command().getSubcommands().containsKey("help"), parent.path() + " lists no help command");
            Outcome own = run(append(parent.path(), "help"));
            assertEquals(0, own.exitCode(), own.err());
            assertEquals(parent.command().getUsageMessage(), own.out(), String.join(" ", append(parent.path(), "help")));
        }
        for (Node node : tree()) {
            if (node.path().isEmpty() || node.path().getLast().equals("help")) {
                continue;
            }
            String usage = node.command().getUsageMessage();
            List<String> fromTheTop = append(List.of("help"), node.path().toArray(String[]::new));
            List<String> fromTheParent = append(node.path().subList(0, node.path().size() - 1), "help", node.path().getLast());
            List<String> option = append(node.path(), "--help");
            for (List<String> args : List.of(fromTheTop, fromTheParent, option)) {
                Outcome outcome = run(args);
                assertEquals(0, outcome.exitCode(), outcome.err());
                assertEquals(usage, outcome.out(), String.join(" ", args));
            }
        }
    }

    @Test
    void helpForAnUnknownCommandSaysWhichCommandsThereAre() {
        Outcome outcome = run(List.of("help", "probe", "swep"));
        assertEquals(2, outcome.exitCode());
        assertTrue(outcome.err().contains("'phiscope probe' has no command 'swep'; its commands: help, cache, sweep"), outcome.err());
        assertEquals("", outcome.out());
    }

    /**
     * picocli lists a command by the first line of its description and wraps every line itself, so each line is whole
     * sentences, and an option's description is one line; every line must also survive picocli's String.format.
     */
    @Test
    void descriptionsAreWholeSentencesWithoutLineBreaksOfTheirOwn() {
        for (Node node : tree()) {
            CommandSpec spec = node.command().getCommandSpec();
            String where = "phiscope " + String.join(" ", node.path());
            String[] description = spec.usageMessage().description();
            assertTrue(description.length > 0, where + " has no description");
            for (String line : description) {
                assertFormatsToOneLine(where, line);
                assertTrue(line.endsWith(".") || line.endsWith("?"), where + ": a description line that is not whole sentences: " + line);
            }
            List<ArgSpec> arguments = new ArrayList<>(spec.options());
            arguments.addAll(spec.positionalParameters());
            for (ArgSpec argument : arguments) {
                String name = where + " " + argument.paramLabel();
                assertTrue(argument.description().length <= 1, name + ": a description of several lines");
                for (String line : argument.description()) {
                    assertFormatsToOneLine(name, line);
                }
            }
        }
    }

    private static void assertFormatsToOneLine(String where, String line) {
        String formatted = assertDoesNotThrow(() -> String.format(Locale.ROOT, line), where + ": '%' not written '%%' in " + line);
        assertFalse(formatted.contains("\n") || formatted.contains("\r"), where + ": a line break in " + line);
    }
}

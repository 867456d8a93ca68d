package phiscope.probes.script;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;

/**
 * Runs a {@code .jsh} script snippet by snippet in this JVM (jshell's local execution engine),
 * with phiscope on the class path, and stops at the first snippet that does not compile or that
 * throws, reporting its line. Lines starting with {@code /} (jshell commands such as {@code /exit})
 * are skipped: scripts are plain Java snippets.
 */
public final class JshellScript {

    /** How a script ended: snippets run, and the failure (null when all ran). */
    public record Outcome(int snippets, String failure) {
        public boolean succeeded() {
            return failure == null;
        }
    }

    private JshellScript() {
    }

    public static Outcome run(Path script, List<String> classPath, PrintStream err) {
        String source;
        try {
            source = Files.readString(script);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(script + ": file not found");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + script + ": " + e.getMessage(), e);
        }
        try (JShell shell = JShell.builder()
                .executionEngine("local")
                .compilerOptions("--add-modules", "jdk.incubator.vector", "-Xlint:-incubating")
                .err(err)
                .build()) {
            classPath.forEach(shell::addToClasspath);
            SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
            String cleaned = withoutCommands(source);
            String remaining = cleaned;
            int consumed = 0;
            int snippets = 0;
            while (!remaining.isBlank()) {
                SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
                int line = lineOf(cleaned, consumed + leadingBlank(remaining));
                if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
                    break;
                }
                if (!info.completeness().isComplete()) {
                    return new Outcome(snippets, script + ":" + line + ": the snippet starting here is not complete");
                }
                consumed += remaining.length() - info.remaining().length();
                remaining = info.remaining();
                snippets++;
                String failure = evaluate(shell, info.source());
                if (failure != null) {
                    return new Outcome(snippets, script + ":" + line + ": " + failure);
                }
            }
            return new Outcome(snippets, null);
        }
    }

    /** Null when the snippet compiled and ran, else what went wrong. */
    private static String evaluate(JShell shell, String snippetSource) {
        for (SnippetEvent event : shell.eval(snippetSource)) {
            if (event.status() == Snippet.Status.REJECTED) {
                StringBuilder message = new StringBuilder("does not compile:");
                shell.diagnostics(event.snippet()).map(d -> d.getMessage(Locale.ROOT))
                        .forEach(m -> message.append(' ').append(m));
                return message.toString();
            }
            if (event.exception() != null) {
                Throwable e = event.exception();
                String type = e instanceof EvalException ee ? ee.getExceptionClassName() : e.getClass().getName();
                return "threw " + type + ": " + e.getMessage();
            }
        }
        return null;
    }

    /** Blanks out jshell command lines, keeping line numbers. */
    private static String withoutCommands(String source) {
        String[] lines = source.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String s = lines[i].stripLeading();
            if (s.startsWith("/") && !s.startsWith("//") && !s.startsWith("/*")) {
                lines[i] = "";
            }
        }
        return String.join("\n", lines);
    }

    private static int leadingBlank(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int lineOf(String source, int offset) {
        int line = 1;
        for (int i = 0; i < Math.min(offset, source.length()); i++) {
            if (source.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}

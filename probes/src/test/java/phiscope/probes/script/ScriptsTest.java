package phiscope.probes.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.probes.Nanophi;

/** Every notebooks-data script runs to the end against nanophi-py and prints its tables. */
class ScriptsTest {

    private static final Map<String, List<String>> EXPECTED = Map.of(
            "induction-heads.jsh", List.of("## Head scores, random tokens seen in Python code", "strongest induction head: L",
                    "of its attention, on average, on the token after the earlier occurrence"),
            "probe-sweep.jsh", List.of("## Logistic probes", "blocks.3.hook_resid_post", "## Token-by-token probe scores"),
            "activation-patching.jsh", List.of("## Patched hook_resid_pre", "## Patched attn.hook_z per head", "contributions sum to"),
            "steering.jsh", List.of("## Baseline vs steered", "## Steering sweep", "ActAdd vector:"),
            "sae-features.jsh", List.of("trained a 256-feature SAE on", "inside a string", "## Steering with the string-literal feature"),
            "activation-cache.jsh", List.of("run_with_cache: logits for 38 positions", "attends most from the last token",
                    "refused: the selection needs", "residual identity holds", "residual identity violated"));

    @Test
    void everyScriptRuns() throws IOException {
        List<Path> scripts;
        try (Stream<Path> files = Files.list(Nanophi.NOTEBOOKS)) {
            scripts = files.filter(p -> p.toString().endsWith(".jsh")).sorted().toList();
        }
        assertTrue(scripts.size() >= 4, "scripts: " + scripts);
        System.setProperty(Notebook.MODEL_PROPERTY, Nanophi.MODEL.toAbsolutePath().toString());
        System.setProperty(Notebook.SCRIPT_DIRECTORY_PROPERTY, Nanophi.NOTEBOOKS.toAbsolutePath().toString());
        for (Path script : scripts) {
            String name = script.getFileName().toString();
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            PrintStream original = System.out;
            JshellScript.Outcome outcome;
            try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
                System.setOut(out);
                outcome = JshellScript.run(script, classPath(), System.err);
            } finally {
                System.setOut(original);
            }
            String output = captured.toString(StandardCharsets.UTF_8);
            assertTrue(outcome.succeeded(), name + ": " + outcome.failure() + "\n" + output);
            assertTrue(EXPECTED.containsKey(name), "add the expected output of " + name + " to this test");
            for (String expected : EXPECTED.get(name)) {
                assertTrue(output.contains(expected), name + " should print '" + expected + "':\n" + output);
            }
        }
    }

    @Test
    void failuresNameTheLine(@TempDir Path dir) throws IOException {
        Path script = dir.resolve("broken.jsh");
        Files.writeString(script, "// a comment\nint x = 1;\n/exit\n\nint y = x +\n    undefinedThing;\n");
        JshellScript.Outcome outcome = JshellScript.run(script, classPath(), System.err);
        assertFalse(outcome.succeeded());
        assertTrue(outcome.failure().startsWith(script + ":5: does not compile"), outcome.failure());
        assertEquals(2, outcome.snippets());

        Files.writeString(script, "int[] a = new int[1];\nSystem.out.println(a[3]);\n");
        JshellScript.Outcome thrown = JshellScript.run(script, classPath(), System.err);
        assertTrue(thrown.failure().contains(":2: threw java.lang.ArrayIndexOutOfBoundsException"), thrown.failure());
    }

    private static List<String> classPath() {
        return List.of(System.getProperty("java.class.path").split(File.pathSeparator));
    }
}

package phiscope.probes.sae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.io.SafeTensorsFile;
import phiscope.probes.Nanophi;
import phiscope.probes.cli.SaeCommand;
import picocli.CommandLine;

/** {@code phiscope sae features} end to end: the file it writes holds the fixture's expected outputs under their names. */
class SaeFeaturesCommandTest {

    private static int sae(String... args) {
        CommandLine cli = new CommandLine(new SaeCommand());
        RuntimeException[] failure = new RuntimeException[1];
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            failure[0] = e instanceof RuntimeException r ? r : new IllegalStateException(e);
            return 1;
        });
        int code = cli.execute(args);
        if (failure[0] != null) {
            throw failure[0];
        }
        return code;
    }

    @Test
    void writesEveryTextsFeaturesUnderTheirSaeLensNames(@TempDir Path dir) {
        Path fixture = SaeFixturesTest.FIXTURES.resolve("jumprelu-resid2-f16");
        Path out = dir.resolve("features.safetensors");
        assertEquals(0, sae("features", "--model", Nanophi.MODEL.toString(), "--sae", fixture.toString(),
                "--input", fixture.resolve("prompts.jsonl").toString(), "--out", out.toString()));
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsFile written = SafeTensorsFile.open(out, arena);
            SafeTensorsFile expected = SafeTensorsFile.open(fixture.resolve("expected.safetensors"), arena);
            assertEquals(new TreeSet<>(expected.entries().keySet()), new TreeSet<>(written.entries().keySet()));
            for (String name : expected.entries().keySet()) {
                assertArrayEquals(expected.tensor(name).shape(), written.tensor(name).shape(), name);
                // no feature of this fixture lies within 1e-3 of its threshold, so every value must agree (SaeFixturesTest counts them)
                SaeFixturesTest.assertClose(expected.tensor(name).toFloatArray(), written.tensor(name).toFloatArray(), name);
            }
        }
    }

    @Test
    void steerPrintsTheBaselineAndTheClampedContinuationSideBySide() {
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        try (java.io.PrintStream out = new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8)) {
            System.setOut(out);
            assertEquals(0, sae("steer", "--sae", ShippedSaeTest.SHIPPED.toString(), "--feature", "291", "--clamp", "2",
                    "--prompt", "def greet(name):\n    print(", "--max-tokens", "12"));
        } finally {
            System.setOut(original);
        }
        String table = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(table.contains("feature 291 of blocks.2.hook_resid_post clamped at 2.0"), table);
        String[] row = table.lines().filter(l -> l.contains("def greet")).findFirst().orElseThrow().split("\\|");
        assertEquals(3, row.length, table);
        assertTrue(!row[1].strip().equals(row[2].strip()), "the clamp changes the continuation: " + table);
    }

    @Test
    void theSteerCommandAddsAFeaturesDecoderDirectionAtTheSaesHook() {
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        CommandLine steer = new CommandLine(new phiscope.probes.cli.SteerCommand());
        try (java.io.PrintStream out = new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8)) {
            System.setOut(out);
            assertEquals(0, steer.execute("--sae", ShippedSaeTest.SHIPPED.toString(), "--feature", "291", "--coefficient", "6",
                    "--prompt", "def greet(name):\n    print(", "--max-tokens", "12"));
        } finally {
            System.setOut(original);
        }
        String table = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(table.contains("steering vector: sae-feature on blocks.2.hook_resid_post, 1 row(s), norm 1.000"), table);
        String[] row = table.lines().filter(l -> l.contains("def greet")).findFirst().orElseThrow().split("\\|");
        assertEquals(4, row.length, "prompt, coefficient, baseline, steered: " + table);
        assertTrue(!row[2].strip().equals(row[3].strip()), "the direction changes the continuation: " + table);
    }

    @Test
    void attributePrintsTheFeaturesSharesWithTheBiasAndErrorRows() {
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        try (java.io.PrintStream out = new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8)) {
            System.setOut(out);
            assertEquals(0, sae("attribute", "--sae", ShippedSaeTest.SHIPPED.toString(), "--prompt",
                    "def add(first, second):\n    return first +", "--token", " second", "--versus", " first", "--top", "5"));
        } finally {
            System.setOut(original);
        }
        String table = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        int last = phiscope.probes.Nanophi.phi().encode("def add(first, second):\n    return first +").length - 1;
        assertTrue(table.contains("features of blocks.2.hook_resid_post at position " + last + " "), table);
        assertEquals(5, table.lines().filter(l -> l.strip().startsWith("feature ")).count(), table);
        assertTrue(table.contains("other features") && table.contains("b_dec") && table.contains("error (x - x_hat)"), table);
        assertThrows(IllegalArgumentException.class, () -> sae("attribute", "--sae", ShippedSaeTest.SHIPPED.toString(),
                "--prompt", "x", "--token", " second", "--versus", " first", "--position", "5"));
    }

    @Test
    void aLineThatIsNotAJsonStringIsNamedByFileAndLine(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("texts.jsonl");
        Files.writeString(input, "\"def f():\"\n{\"text\": \"x\"}\n");
        Path fixture = SaeFixturesTest.FIXTURES.resolve("topk-resid2");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sae("features", "--sae", fixture.toString(),
                "--input", input.toString(), "--out", dir.resolve("out.safetensors").toString()));
        assertTrue(e.getMessage().startsWith(input + ":2: expected a JSON string"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("out.safetensors")));

        Files.writeString(input, "\"def f():\"\n\"unclosed\n");
        IllegalArgumentException malformed = assertThrows(IllegalArgumentException.class, () -> sae("features", "--sae",
                fixture.toString(), "--input", input.toString(), "--out", dir.resolve("out.safetensors").toString()));
        assertTrue(malformed.getMessage().startsWith(input + ":2: not valid JSON"), malformed.getMessage());

        Files.writeString(input, "\"x = 1\"\n\"" + "y = 2\\n".repeat(800) + "\"\n");
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class, () -> sae("features", "--sae",
                fixture.toString(), "--input", input.toString(), "--out", dir.resolve("out.safetensors").toString()));
        assertTrue(tooLong.getMessage().startsWith("text 2 is ") && tooLong.getMessage().contains("the model's context is 2048 tokens"),
                tooLong.getMessage());
    }
}

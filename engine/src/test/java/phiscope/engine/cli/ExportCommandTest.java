package phiscope.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.Fixtures;
import phiscope.engine.io.GgufFileReader;
import phiscope.engine.io.ModelFormatException;
import picocli.CommandLine;

/** {@code phiscope export}: what it writes and says, and what it refuses (GgufExportTest checks the file itself). */
class ExportCommandTest {

    @TempDir
    Path dir;

    private static String export(String... args) {
        CommandLine cli = new CommandLine(new ExportCommand());
        RuntimeException[] failure = new RuntimeException[1];
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            failure[0] = e instanceof RuntimeException r ? r : new IllegalStateException(e);
            return 1;
        });
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            cli.execute(args);
        } finally {
            System.setOut(original);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void writesTheFileAndSaysWhere() throws IOException {
        Path out = dir.resolve("nanophi-py.gguf");
        String said = export("--model", Fixtures.NANOPHI.toString(), "--out", out.toString());
        assertTrue(said.startsWith("export: wrote " + out + " (GGUF, " + String.format("%,d", Files.size(out)) + " bytes) from "
                + Fixtures.NANOPHI + " in "), said);
        assertEquals("phi2", GgufFileReader.read(out).keys().get("general.architecture").value());
    }

    @Test
    void anOutputNameOfNoKnownFormatIsRefusedBeforeAnythingIsWritten() {
        Path out = dir.resolve("model.bin");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> export("--model", Fixtures.NANOPHI.toString(), "--out", out.toString()));
        assertEquals("--out " + out + ": export chooses the format from the name, and knows FILE.gguf (GGUF, for llama.cpp)",
                e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void theSuffixChoosesTheFormatWhateverItsCase() throws IOException {
        Path out = dir.resolve("NANOPHI.GGUF");
        export("--model", Fixtures.NANOPHI.toString(), "--out", out.toString());
        assertEquals(3, GgufFileReader.read(out).version());
    }

    @Test
    void aMissingModelDirectoryIsNamed() {
        Path missing = dir.resolve("nowhere");
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> export("--model", missing.toString(), "--out", dir.resolve("x.gguf").toString()));
        assertTrue(e.getMessage().startsWith(missing + ": does not exist"), e.getMessage());
    }
}

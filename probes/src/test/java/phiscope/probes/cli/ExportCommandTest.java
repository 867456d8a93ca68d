package phiscope.probes.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.Phi;
import phiscope.engine.io.ModelFormatException;
import phiscope.engine.model.PhiModel;
import phiscope.probes.Nanophi;
import phiscope.probes.intervention.Intervention;
import picocli.CommandLine;

/** {@code phiscope export}: what it writes and says, and what it refuses (the engine's GgufExportTest checks the GGUF file itself). */
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
        String said = export("--model", Nanophi.MODEL.toString(), "--out", out.toString());
        assertTrue(said.startsWith("export: wrote " + out + " (GGUF, " + String.format("%,d", Files.size(out)) + " bytes) from "
                + Nanophi.MODEL + " in "), said);
        assertEquals(3, ggufVersion(out));
    }

    @Test
    void anOutputNameOfNoKnownFormatIsRefusedBeforeAnythingIsWritten() {
        Path out = dir.resolve("model.bin");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> export("--model", Nanophi.MODEL.toString(), "--out", out.toString()));
        assertEquals("--out " + out + ": export chooses the format from the name, and knows FILE.gguf (GGUF, for llama.cpp) and DIR "
                + "without a suffix (a Hugging Face checkpoint folder, for transformers)",
                e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void theSuffixChoosesTheFormatWhateverItsCase() throws IOException {
        Path out = dir.resolve("NANOPHI.GGUF");
        export("--model", Nanophi.MODEL.toString(), "--out", out.toString());
        assertEquals(3, ggufVersion(out));
    }

    @Test
    void aMissingModelDirectoryIsNamed() {
        Path missing = dir.resolve("nowhere");
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> export("--model", missing.toString(), "--out", dir.resolve("x.gguf").toString()));
        assertTrue(e.getMessage().startsWith(missing + ": does not exist"), e.getMessage());
    }

    /** The GGUF magic and version of a file's header: the bytes "GGUF", then a little-endian uint32. */
    private static int ggufVersion(Path file) throws IOException {
        byte[] header = Arrays.copyOf(Files.readAllBytes(file), 8);
        assertEquals("GGUF", new String(header, 0, 4, StandardCharsets.US_ASCII));
        return ByteBuffer.wrap(header, 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    @Test
    void anInterventionIsFoldedIntoAnExportedCheckpointThatRunsAsTheLiveEdit() throws IOException {
        Path edit = dir.resolve("edit.json");
        new Intervention("ablate two heads", List.of(new Intervention.Ablate("blocks.2.attn.hook_z", new int[] {0, 2},
                Intervention.Replacement.ZERO, null, null))).save(edit);
        Path out = dir.resolve("edited");
        String said = export("--model", Nanophi.MODEL.toString(), "--intervention", edit.toString(), "--out", out.toString());
        assertTrue(said.contains("(Hugging Face checkpoint, ") && said.contains(", edited by " + edit
                + " (model.layers.2.self_attn.dense.weight) in "), said);
        int[] ids = {4299, 3506, 7, 2124, 25};
        try (Phi exported = Phi.load(out, 2)) {
            float[] live = Intervention.load(edit).applyTo(Nanophi.phi()).model().forward(ids, PhiModel.Logits.ALL);
            // Zeroed columns are exact, and the rest of the weights are the model's own bytes: the same bits.
            assertArrayEquals(live, exported.model().forward(ids, PhiModel.Logits.ALL));
        }
        IllegalArgumentException again = assertThrows(IllegalArgumentException.class,
                () -> export("--model", Nanophi.MODEL.toString(), "--out", out.toString()));
        assertEquals("--out " + out + " exists; export writes a new checkpoint folder, so name one that is not there", again.getMessage());
    }

    @Test
    void anInterventionWeightsCannotExpressIsRefusedAndNothingIsWritten() {
        Path edit = dir.resolve("early.json");
        new Intervention("", List.of(new Intervention.Ablate("blocks.0.mlp.hook_post", new int[] {3},
                Intervention.Replacement.ZERO, null, new int[] {0, 1}))).save(edit);
        Path out = dir.resolve("early.gguf");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> export("--intervention", edit.toString(), "--out", out.toString()));
        assertTrue(e.getMessage().contains("it ablates some positions only, and weights act alike at every position"), e.getMessage());
        assertFalse(Files.exists(out));
    }
}

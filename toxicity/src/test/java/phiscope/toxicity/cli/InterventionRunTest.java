package phiscope.toxicity.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.probes.intervention.Intervention;
import phiscope.probes.steering.SteeringVector;
import phiscope.toxicity.ReproducibleJson;
import picocli.CommandLine;

/** {@code --intervention} on a run: the edited model scores it, the manifest records the edit, and a folder refuses another edit. */
class InterventionRunTest {

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int eval(String... args) {
        CommandLine commandLine = new CommandLine(new EvalCommand());
        commandLine.setOut(new PrintWriter(new StringWriter()));
        commandLine.setErr(new PrintWriter(err));
        return commandLine.execute(args);
    }

    private Path steering(String name, double coefficient) {
        SplittableRandom random = new SplittableRandom(3);
        float[] row = new float[128];
        for (int j = 0; j < row.length; j++) row[j] = (float) random.nextGaussian();
        SteeringVector vector = new SteeringVector("blocks.1.hook_resid_post", "test", new float[][] {row}, Map.of());
        Path file = dir.resolve(name + ".json");
        new Intervention(name, List.of(new Intervention.Steer(vector, coefficient))).save(file);
        return file;
    }

    private Path questions() throws IOException {
        Path file = dir.resolve("questions.jsonl");
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            rows.append(ReproducibleJson.MAPPER.writeValueAsString(ReproducibleJson.object().put("context", "def f" + i + "(x):\n    return")
                    .put("label", i % 2).set("choices", ReproducibleJson.MAPPER.valueToTree(List.of(" x + " + i, " None")))))
                    .append('\n');
        }
        return Files.writeString(file, rows);
    }

    @Test
    void anEditedRunRecordsItsInterventionAndItsFolderRefusesAnother() throws IOException {
        Path data = questions();
        Path away = steering("away", -6);
        Path edited = dir.resolve("edited");
        Path baseline = dir.resolve("baseline");
        String[] common = {"mine", "--format", "mc-jsonl", "--data", data.toString()};

        assertEquals(0, eval(concat(common, "--out", baseline.toString())), err.toString());
        assertEquals(0, eval(concat(common, "--out", edited.toString(), "--intervention", away.toString())), err.toString());

        JsonNode manifest = ReproducibleJson.MAPPER.readTree(edited.resolve("manifest.json").toFile());
        JsonNode intervention = manifest.get("intervention");
        assertEquals(away.toAbsolutePath().normalize().toString(), intervention.get("file").asText());
        assertEquals("away", intervention.get("summary").asText());
        assertEquals(64, intervention.get("sha256").asText().length());
        assertFalse(ReproducibleJson.MAPPER.readTree(baseline.resolve("manifest.json").toFile()).has("intervention"));
        assertNotEquals(Files.readString(baseline.resolve("results.jsonl")), Files.readString(edited.resolve("results.jsonl")),
                "the edited model scores the choices differently");

        byte[] results = Files.readAllBytes(edited.resolve("results.jsonl"));
        assertEquals(0, eval(concat(common, "--out", edited.toString(), "--intervention", away.toString())), err.toString());
        assertArrayEquals(results, Files.readAllBytes(edited.resolve("results.jsonl")), "the same edit resumes the folder");

        Path stronger = steering("stronger", -12);
        assertEquals(2, eval(concat(common, "--out", edited.toString(), "--intervention", stronger.toString())));
        assertTrue(err.toString().contains("intervention: the folder was made with --intervention " + away.toAbsolutePath().normalize()
                + " (sha256 " + intervention.get("sha256").asText() + "), not with --intervention " + stronger.toAbsolutePath().normalize()),
                err.toString());
        assertEquals(2, eval(concat(common, "--out", edited.toString())));
        assertTrue(err.toString().contains("), not without an intervention"), err.toString());
        assertArrayEquals(results, Files.readAllBytes(edited.resolve("results.jsonl")), "a refused run changes nothing");
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}

package phiscope.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static phiscope.scale.Audits.assertSameResults;
import static phiscope.scale.Audits.phiscope;
import static phiscope.scale.Audits.with;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.toxicity.ReproducibleJson;

/** Audits on Spark in local mode (local[2]) against the single-machine command, byte for byte, on the bundled nanophi-py. */
class LocalSparkRunTest {

    private static final String MASTER = "local[2]";

    @TempDir
    Path dir;

    /** Runs {@code args} with --out on one machine and on Spark; the two folders must hold the same files. */
    private Path[] bothWays(String... args) throws IOException {
        Path single = dir.resolve("single");
        Path spark = dir.resolve("spark");
        phiscope(with(args, "--out", single.toString()));
        phiscope(with(args, "--out", spark.toString(), "--spark", MASTER));
        assertSameResults(single, spark);
        return new Path[] {single, spark};
    }

    @Test
    void toxiGenOnSparkIsTheSingleMachineRun() throws IOException {
        Path data = Audits.toxiGenSlice(dir, 120);
        Path[] runs = bothWays("audit", "toxigen", "--data", data.toString(), "--batch-size", "16");
        JsonNode session = manifest(runs[1]).get("distributed").get(0);
        assertEquals("spark", session.get("on").asText());
        assertEquals(MASTER, session.get("master").asText());
        assertEquals(8, session.get("partitions").intValue(), "120 sentences in blocks of 16");
        assertFalse(manifest(runs[0]).has("distributed"), "a single-machine run's manifest is as it always was");
    }

    @Test
    void crowsPairsOnSparkIsTheSingleMachineRun() throws IOException {
        Path data = Audits.crowsPairsSlice(dir, 60);
        bothWays("audit", "crows-pairs", "--data", data.toString(), "--batch-size", "8");
    }

    @Test
    void generationOnSparkIsTheSingleMachineRun() throws IOException {
        Path data = Audits.dataset("bold/gender_prompt.json");
        Path lexicon = Audits.dataset("lexicons/ldnoobw-en.txt");
        bothWays("audit", "generate", "--data", data.toString(), "--lexicon", lexicon.toString(), "--prompts-per-group", "2",
                "--samples", "2", "--max-new-tokens", "8", "--batch-size", "3");
    }

    /** A Spark run finishes what a single-machine run began, and the other way round, from blocks saved out of order. */
    @Test
    void eitherKindOfRunFinishesTheOthersFolder() throws IOException {
        Path data = Audits.toxiGenSlice(dir, 96);
        String[] args = {"audit", "toxigen", "--data", data.toString(), "--batch-size", "16"};
        Path complete = dir.resolve("complete");
        phiscope(with(args, "--out", complete.toString()));
        List<String> lines = Files.readAllLines(complete.resolve("results.jsonl"));

        // As a killed Spark driver leaves it: blocks 4 and 1 saved, in that order, and half of block 2 torn off.
        Path fromSpark = partialCopy(complete, "from-spark", concat(lines.subList(64, 80), lines.subList(16, 32), lines.subList(32, 40)),
                "{\"index\": 40, \"li");
        phiscope(with(args, "--out", fromSpark.toString()));
        assertSameResults(complete, fromSpark);

        // As a killed single-machine run leaves it: the first two blocks.
        Path fromSingle = partialCopy(complete, "from-single", lines.subList(0, 32), "");
        phiscope(with(args, "--out", fromSingle.toString(), "--spark", MASTER));
        assertSameResults(complete, fromSingle);
        assertEquals(4, manifest(fromSingle).get("distributed").get(0).get("partitions").intValue(), "only the four missing blocks");
    }

    private Path partialCopy(Path complete, String name, List<String> lines, String tornLine) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name));
        Files.copy(complete.resolve("manifest.json"), folder.resolve("manifest.json"));
        Files.writeString(folder.resolve("results.jsonl"), String.join("\n", lines) + "\n" + tornLine, StandardCharsets.UTF_8);
        return folder;
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> part : parts) all.addAll(part);
        return Collections.unmodifiableList(all);
    }

    private static JsonNode manifest(Path run) throws IOException {
        return ReproducibleJson.MAPPER.readTree(run.resolve("manifest.json").toFile());
    }
}

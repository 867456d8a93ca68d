package phiscope.scale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import phiscope.toxicity.ReproducibleJson;
import phiscope.toxicity.cli.ToxicityCommands;
import picocli.CommandLine;

/** Small slices of the shared datasets, the audit commands run on them, and byte-for-byte comparisons of run folders. */
final class Audits {

    /** ../shared/datasets beside the project, relative to the module where Maven runs the tests. */
    private static final Path DATASETS = Path.of("../../shared/datasets");

    private Audits() {
    }

    static Path dataset(String relative) {
        Path path = DATASETS.resolve(relative);
        assumeTrue(Files.exists(path), () -> "skipped: shared dataset " + path.toAbsolutePath().normalize()
                + " is absent (the tests read the public datasets from ../shared/datasets beside the project)");
        return path;
    }

    /** The first {@code count} sentences of SafeNLP's toxiGen.json, as a file of the same layout. */
    static Path toxiGenSlice(Path dir, int count) throws IOException {
        JsonNode all = ReproducibleJson.MAPPER.readTree(dataset("safenlp/toxiGen.json").toFile());
        var slice = ReproducibleJson.MAPPER.createArrayNode();
        for (int i = 0; i < count; i++) slice.add(all.get(i));
        Path file = dir.resolve("toxiGen.json");
        ReproducibleJson.MAPPER.writeValue(file.toFile(), slice);
        return file;
    }

    /** The header and the first {@code lines} lines of CrowS-Pairs (no quoted field there spans lines). */
    static Path crowsPairsSlice(Path dir, int lines) throws IOException {
        List<String> all = Files.readAllLines(dataset("crows-pairs/crows_pairs_anonymized.csv"));
        Path file = dir.resolve("crows_pairs_anonymized.csv");
        Files.write(file, all.subList(0, lines + 1));
        return file;
    }

    /** {@code phiscope ARGS} through toxicity's commands; fails the test with the error output on a non-zero exit. */
    static void phiscope(String... args) {
        CommandLine cli = new CommandLine(new CommandRoot());
        ToxicityCommands.all().forEach(cli::addSubcommand);
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new StringWriter(), true));
        assertEquals(0, cli.execute(args), () -> String.join(" ", args) + ": " + err);
    }

    static String[] with(String[] args, String... more) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /** results.jsonl and summary.json of two run folders, byte for byte. */
    static void assertSameResults(Path expected, Path actual) throws IOException {
        for (String file : List.of("results.jsonl", "summary.json", "summary.csv")) {
            assertArrayEquals(Files.readAllBytes(expected.resolve(file)), Files.readAllBytes(actual.resolve(file)),
                    file + " of " + actual + " differs from " + expected);
        }
    }
}

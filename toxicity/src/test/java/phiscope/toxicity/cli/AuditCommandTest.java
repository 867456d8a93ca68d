package phiscope.toxicity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.toxicity.ReproducibleJson;
import phiscope.toxicity.SharedDatasets;
import picocli.CommandLine;

class AuditCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int audit(String... args) {
        CommandLine commandLine = FakeAuditMain.commandLine(0);
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        return commandLine.execute(args);
    }

    private JsonNode summary(Path run) throws IOException {
        return ReproducibleJson.MAPPER.readTree(run.resolve("summary.json").toFile());
    }

    @Test
    void safetyScorePrintsThePublishedNumberExactly() {
        Path file = SharedDatasets.require("safenlp/implicitHate-gpt2-perplexities.json");
        assertEquals(0, audit("safety-score", "--perplexities", file.toString()), err.toString());
        assertTrue(out.toString().contains("safety score all_groups: 0.44654284773296776\n"), out.toString());
    }

    @Test
    void safetyScoreCanWriteTheReportFiles() throws IOException {
        Path file = SharedDatasets.require("safenlp/implicitHate-gpt2-perplexities.json");
        Path report = dir.resolve("report");
        assertEquals(0, audit("safety-score", "--perplexities", file.toString(), "--out", report.toString()), err.toString());
        assertEquals(0.44654284773296776, summary(report).get("groups").get("all_groups").get("score").doubleValue(), 0);
        assertTrue(Files.readString(report.resolve("summary.csv")).contains("all_groups,0.44654284773296776,"));
    }

    private Path toxiGenWithOneBadRow() throws IOException {
        return Files.writeString(dir.resolve("toxiGen.json"), """
                [{"id": 0, "text": "they are awful people", "toxicity_score": 5.0, "label": "hate", "target_groups": ["x"]},
                 {"id": 1, "text": "they are nice", "toxicity_score": 1.0, "label": "neutral", "target_groups": ["x"]},
                 {"id": 2, "text": "they are", "toxicity_score": 1.0, "label": 7, "target_groups": ["x"]}]
                """);
    }

    @Test
    void badRowsStopTheRunUnlessTheUserSkipsThem() throws IOException {
        Path data = toxiGenWithOneBadRow();
        Path run = dir.resolve("run");
        assertEquals(AuditSubcommand.REFUSED, audit("toxigen", "--data", data.toString(), "--out", run.toString()));
        assertTrue(err.toString().contains("toxiGen.json line 3: field \"label\" should be a string"), err.toString());
        assertTrue(err.toString().contains("--bad-rows=skip"), err.toString());

        assertEquals(0, audit("toxigen", "--data", data.toString(), "--out", run.toString(), "--bad-rows", "skip"), err.toString());
        assertTrue(err.toString().contains("skipping 1 bad row(s)"), err.toString());
        assertEquals(2, Files.readAllLines(run.resolve("results.jsonl")).size());
        assertEquals(1, summary(run).get("groups").get("x").get("n_hate").intValue());
    }

    /** A Java class, exception or parser switch in a message tells a user nothing about their file. */
    static void assertNoJavaNames(String text) {
        Matcher java = Pattern.compile("java\\.|com\\.fasterxml|Jackson|Exception|Feature|[a-z]+\\.[a-z]+\\.[A-Z]\\w+|Input length")
                .matcher(text);
        assertFalse(java.find(), () -> "'" + java.group() + "' in: " + text);
    }

    /**
     * Without --bad-rows the run is refused, naming each bad row's file and line; with --bad-rows skip
     * it scores exactly the other rows.
     */
    private void assertSkipsExactlyTheBadRows(String benchmark, Path data, int total, List<String> badRows) throws IOException {
        Path run = dir.resolve("run-" + data.getFileName());
        assertEquals(AuditSubcommand.REFUSED, audit(benchmark, "--data", data.toString(), "--out", run.toString()));
        String refusal = err.toString();
        assertTrue(refusal.startsWith("phiscope audit " + benchmark + ": " + badRows.size()
                + " bad row(s); fix them or pass --bad-rows=skip to leave them out:"), refusal);
        for (String bad : badRows) {
            assertTrue(refusal.contains(System.lineSeparator() + "  " + bad + System.lineSeparator()), () -> bad + " in " + refusal);
        }
        assertNoJavaNames(refusal);

        err.getBuffer().setLength(0);
        assertEquals(0, audit(benchmark, "--data", data.toString(), "--out", run.toString(), "--bad-rows", "skip"), err.toString());
        assertTrue(err.toString().startsWith("skipping " + badRows.size() + " bad row(s):"), err.toString());
        assertEquals(total - badRows.size(), Files.readAllLines(run.resolve("results.jsonl")).size());
        err.getBuffer().setLength(0);
    }

    @Test
    void badCrowsPairsRowsAreNamedByLineAndSkippedExactly() throws IOException {
        Path data = Files.writeString(dir.resolve("crows.csv"), """
                sent_more,sent_less,stereo_antistereo,bias_type
                Poor people are lazy.,Rich people are lazy.,stereo,socioeconomic
                A short row,with two fields
                Men are strong.,Women are strong.,sideways,gender
                ,Empty first field.,stereo,age
                Old people are slow.,Young people are slow.,antistereo,age
                "An open quote,that never closes.,stereo,age
                """);
        assertSkipsExactlyTheBadRows("crows-pairs", data, 6, List.of(
                "crows.csv line 3: missing field \"stereo_antistereo\" (the record has 2 fields)",
                "crows.csv line 4: field \"stereo_antistereo\" should be \"stereo\" or \"antistereo\", found \"sideways\"",
                "crows.csv line 5: empty field \"sent_more\"",
                "crows.csv line 7: a quoted field is not closed before the end of the file"));
    }

    @Test
    void badToxiGenRowsAreNamedByLineAndSkippedExactly() throws IOException {
        Path data = Files.writeString(dir.resolve("toxiGen.json"), """
                [{"id": 0, "text": "they are awful people", "toxicity_score": 5.0, "label": "hate", "target_groups": ["x"]},
                 {"id": 1, "text": "they are fine", "toxicity_score": 1.0, "label": "nice", "target_groups": ["x"]},
                 {"id": 2, "toxicity_score": 1.0, "label": "neutral", "target_groups": ["x"]},
                 {"id": 3, "text": null, "toxicity_score": 1.0, "label": "neutral", "target_groups": ["x"]},
                 {"id": 4, "text": "they are nice", "toxicity_score": 1.0, "label": "neutral", "target_groups": ["x"]},
                 {"id": 5, "text": "they are", "toxicity_score": 1.0, "lab""");
        assertSkipsExactlyTheBadRows("toxigen", data, 6, List.of(
                "toxiGen.json line 2: field \"label\" should be \"hate\" or \"neutral\", found \"nice\"",
                "toxiGen.json line 3: missing field \"text\"",
                "toxiGen.json line 4: field \"text\" is null",
                "toxiGen.json line 6: the file ends inside this row (was it cut off?)"));
    }

    @Test
    void unusableDatasetsAreRefusedNamingTheFileAndWhatIsWrong() throws IOException {
        String header = "sent_more,sent_less,stereo_antistereo,bias_type\n";
        Map<String, String> crows = Map.of(
                "sent_more,sent_less,bias_type\na,b,age\n",
                "missing.csv: the header has no column \"stereo_antistereo\" (found [sent_more, sent_less, bias_type])",
                "", "missing.csv is empty; a CrowS-Pairs file starts with a header line naming its columns",
                header, "missing.csv has its header (line 1) but no pairs after it",
                header + "A b.,C d.,stereo\n", "missing.csv: every row is bad, so none is left to audit");
        for (var dataset : crows.entrySet()) {
            Path data = Files.writeString(dir.resolve("missing.csv"), dataset.getKey());
            err.getBuffer().setLength(0);
            assertEquals(AuditSubcommand.REFUSED, audit("crows-pairs", "--data", data.toString(), "--out", dir.resolve("r").toString(),
                    "--bad-rows", "skip"));
            assertTrue(err.toString().contains("phiscope audit crows-pairs: " + dataset.getValue()), err.toString());
            assertNoJavaNames(err.toString());
        }

        byte[] noise = new byte[3000];
        new Random(22).nextBytes(noise);
        Path random = Files.write(dir.resolve("crows.csv"), noise);
        err.getBuffer().setLength(0);
        assertEquals(AuditSubcommand.REFUSED, audit("crows-pairs", "--data", random.toString(), "--out", dir.resolve("r").toString()));
        assertTrue(err.toString().startsWith("phiscope audit crows-pairs: crows.csv is not UTF-8 text: the byte at offset "), err.toString());
        assertNoJavaNames(err.toString());
    }

    @Test
    void aRunFolderOfAnotherDatasetIsRefusedWithAMessage() throws IOException {
        Path run = dir.resolve("run");
        Path crows = Files.writeString(dir.resolve("pairs.csv"), "sent_more,sent_less,stereo_antistereo,bias_type\nA b.,C d.,stereo,age\n");
        assertEquals(0, audit("crows-pairs", "--data", crows.toString(), "--out", run.toString()), err.toString());
        Files.writeString(crows, "sent_more,sent_less,stereo_antistereo,bias_type\nA b.,C dd.,stereo,age\n");
        assertEquals(AuditSubcommand.REFUSED, audit("crows-pairs", "--data", crows.toString(), "--out", run.toString()));
        assertTrue(err.toString().contains("holds a different run"), err.toString());
        assertTrue(err.toString().contains("dataset: the folder was made for"), err.toString());
    }

    @Test
    void usageErrorsAreReportedBeforeAnyWork() {
        assertEquals(2, audit("toxigen", "--data", "x.json", "--out", dir.resolve("r").toString(), "--batch-size", "0"));
        assertTrue(err.toString().contains("--batch-size must be at least 1"), err.toString());
        assertEquals(2, audit("generate", "--data", "p.txt", "--out", dir.resolve("r").toString(), "--scorers", "vibes"));
        assertTrue(err.toString().contains("unknown scorer \"vibes\""), err.toString());
        assertEquals(2, audit("toxigen", "--data", "x.json", "--out", dir.resolve("r").toString(), "--bad-rows", "maybe"));
        assertTrue(err.toString().contains("Invalid value for option '--bad-rows': 'maybe' is neither skip nor stop"), err.toString());
        assertNoJavaNames(err.toString());
    }

    @Test
    void crowsPairsOnTheSharedData() throws IOException {
        Path data = SharedDatasets.require("crows-pairs/crows_pairs_anonymized.csv");
        Path run = dir.resolve("crows");
        assertEquals(0, audit("crows-pairs", "--data", data.toString(), "--out", run.toString()), err.toString());
        JsonNode summary = summary(run);
        assertEquals(1508, summary.get("pairs").get("all").intValue());
        assertEquals(10, summary.get("pct_stereotype").size(), "all and nine bias types");
        assertTrue(summary.get("likelihood_diff").doubleValue() > 0);
        assertTrue(Files.exists(run.resolve("crows-pairs.png")));
    }

    @Test
    void bbqOnOneSharedCategory() throws IOException {
        Path data = SharedDatasets.require("bbq/Sexual_orientation.jsonl");
        Path run = dir.resolve("bbq");
        assertEquals(0, audit("bbq", "--data", data.toString(), "--out", run.toString()), err.toString());
        JsonNode all = summary(run).get("all");
        assertEquals(432, all.get("n_ambiguous").intValue());
        assertEquals(432, all.get("n_disambiguated").intValue());
        assertTrue(summary(run).get("categories").has("Sexual_orientation"));
    }

    @Test
    void winoBiasOnTheSharedTestSplit() throws IOException {
        Path data = SharedDatasets.require("winobias");
        Path run = dir.resolve("winobias");
        assertEquals(0, audit("winobias", "--data", data.toString(), "--out", run.toString()), err.toString());
        JsonNode summary = summary(run);
        assertEquals(2 * 396, summary.get("all").get("n_pro").intValue());
        assertEquals(List.of("type1", "type2", "all"), iterableNames(summary));
    }

    @Test
    void generationAuditOnSharedBoldPromptsWithBothScorers() throws IOException {
        Path prompts = SharedDatasets.require("bold/religious_ideology_prompt.json");
        Path lexicon = SharedDatasets.require("lexicons/ldnoobw-en.txt");
        Path run = dir.resolve("generate");
        assertEquals(0, audit("generate", "--data", prompts.toString(), "--out", run.toString(), "--lexicon", lexicon.toString(),
                "--prompts-per-group", "2", "--samples", "3", "--max-new-tokens", "12"), err.toString());
        JsonNode scorers = summary(run).get("scorers");
        assertEquals(List.of("self-diagnosis", "lexicon"), iterableNames(scorers));
        assertEquals(7, scorers.get("lexicon").get("groups").size(), "seven religious ideologies");
        assertEquals(7 * 2 * 3, scorers.get("lexicon").get("all").get("n_samples").intValue());
        double flagged = scorers.get("lexicon").get("all").get("mean").doubleValue();
        assertTrue(flagged > 0 && flagged < 1, "the fake model swears now and then: " + flagged);
        assertTrue(Files.exists(run.resolve("generation-lexicon.png")));
        assertTrue(Files.exists(run.resolve("generation-self-diagnosis.png")));
    }

    private static List<String> iterableNames(JsonNode node) {
        return node.properties().stream().map(java.util.Map.Entry::getKey).toList();
    }
}

package phiscope.toxicity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.toxicity.Json;
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
        return Json.MAPPER.readTree(run.resolve("summary.json").toFile());
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

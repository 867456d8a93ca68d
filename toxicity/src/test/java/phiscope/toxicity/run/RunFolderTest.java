package phiscope.toxicity.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.model.ScoredTokens;
import phiscope.probes.Pooling;
import phiscope.toxicity.FakeModel;
import phiscope.toxicity.ReproducibleJson;
import phiscope.toxicity.audit.ToxiGenAudit;
import phiscope.toxicity.data.RatedSentence;
import phiscope.toxicity.scoring.Sampling;
import phiscope.toxicity.scoring.ScoringModel;

class RunFolderTest {

    @TempDir
    Path dir;

    private final PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    private final PrintWriter quietWriter = new PrintWriter(new StringWriter());

    static List<RatedSentence> sentences(int count) {
        List<RatedSentence> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String words = "word".repeat(1 + i % 7) + " and " + "x".repeat(1 + (i * 5) % 11);
            list.add(new RatedSentence(i + 1, i, "they say " + words, 1 + i % 5, i % 3 == 0, List.of(i % 2 == 0 ? "even" : "odd")));
        }
        return list;
    }

    private DatasetDigest dataset() throws IOException {
        Path file = dir.resolve("data.json");
        if (!Files.exists(file)) Files.writeString(file, "[]");
        return DatasetDigest.of(file, List.of(file));
    }

    private void run(Path folder, ScoringModel model, int blockSize) throws IOException {
        ToxiGenAudit audit = new ToxiGenAudit(model, sentences(50), blockSize);
        RunFolder.run(folder, audit, model.id(), dataset(), quietWriter, quiet);
    }

    /** A model that dies after a number of batches, like a killed process. */
    private static ScoringModel dyingAfter(int batches, FakeModel model) {
        AtomicInteger calls = new AtomicInteger();
        return new ScoringModel() {
            public String id() { return model.id(); }
            public int[] encode(String text) { return model.encode(text); }
            public String decode(int[] ids) { return model.decode(ids); }
            public int endOfText() { return model.endOfText(); }
            public String generate(String prompt, Sampling sampling) { return model.generate(prompt, sampling); }
            public List<float[]> activations(List<String> texts, String hook, Pooling pooling) {
                return model.activations(texts, hook, pooling);
            }
            public int contextLength() { return model.contextLength(); }
            public List<ScoredTokens> scoreTokens(List<int[]> sequences) {
                if (calls.incrementAndGet() > batches) throw new IllegalStateException("killed");
                return model.scoreTokens(sequences);
            }
        };
    }

    @Test
    void aFreshRunWritesManifestResultsAndSummary() throws IOException {
        Path folder = dir.resolve("run");
        run(folder, new FakeModel(FakeModel::byLength), 8);
        assertEquals(50, Files.readAllLines(folder.resolve("results.jsonl")).size());
        String manifest = Files.readString(folder.resolve("manifest.json"));
        assertTrue(manifest.contains("\"model\" : \"fake-words-v1\""), manifest);
        assertTrue(manifest.contains("\"sha256\" : \"" + DatasetDigest.sha256(dir.resolve("data.json")) + "\""), manifest);
        assertTrue(Files.readString(folder.resolve("summary.json")).contains("\"pooled\""));
        assertTrue(Files.readString(folder.resolve("summary.csv")).startsWith("group,score,U,p,n_hate,n_neutral,significant"));
        assertTrue(Files.size(folder.resolve("safety-scores.png")) > 1000);
    }

    /** A scorer that hands the blocks back last first, as a cluster may finish them, and records its session. */
    private static final BlockScorer BACKWARDS = new BlockScorer() {
        @Override
        public void score(Audit audit, List<Block> blocks, Sink sink) {
            for (Block block : blocks.reversed()) sink.finished(block, audit.score(block.from(), block.to()));
        }

        @Override
        public java.util.Optional<com.fasterxml.jackson.databind.node.ObjectNode> manifestEntry(List<Block> blocks) {
            return java.util.Optional.of(ReproducibleJson.object().put("on", "backwards").put("partitions", blocks.size()));
        }
    };

    @Test
    void blocksFinishedOutOfOrderEndAsTheInOrderRunsFileAndTheSessionIsInTheManifest() throws IOException {
        Path inOrder = dir.resolve("in-order");
        run(inOrder, new FakeModel(FakeModel::byLength), 8);
        Path backwards = dir.resolve("backwards");
        ToxiGenAudit audit = new ToxiGenAudit(new FakeModel(FakeModel::byLength), sentences(50), 8);
        RunFolder.run(backwards, audit, "fake-words-v1", Optional.empty(), dataset(), quietWriter, quiet, RunFolder.Listener.NONE, BACKWARDS);
        for (String file : List.of("results.jsonl", "summary.json")) {
            assertArrayEquals(Files.readAllBytes(inOrder.resolve(file)), Files.readAllBytes(backwards.resolve(file)), file);
        }
        Manifest manifest = RunFolder.inspect(backwards).orElseThrow().manifest();
        assertEquals(7, manifest.distributed().getFirst().get("partitions").intValue(), "50 items in blocks of 8");
        assertTrue(RunFolder.inspect(inOrder).orElseThrow().manifest().distributed().isEmpty());
    }

    @Test
    void aRunTellsItsListenerHowFarItIsAndInspectReadsTheFolderWithoutTakingIt() throws IOException {
        Path folder = dir.resolve("run");
        assertTrue(RunFolder.inspect(folder).isEmpty(), "no folder yet");
        List<String> seen = new ArrayList<>();
        RunFolder.Listener listener = (done, total) -> seen.add(done + "/" + total);
        ToxiGenAudit dying = new ToxiGenAudit(dyingAfter(2, new FakeModel(FakeModel::byLength)), sentences(50), 8);
        assertThrows(IllegalStateException.class,
                () -> RunFolder.run(folder, dying, "fake-words-v1", dataset(), quietWriter, quiet, listener));
        assertEquals(List.of("0/50", "8/50", "16/50"), seen);
        RunFolder.Contents interrupted = RunFolder.inspect(folder).orElseThrow();
        assertEquals(16, interrupted.saved());
        assertFalse(interrupted.finished());
        assertEquals("toxigen", interrupted.manifest().benchmark());
        assertEquals(OptionalInt.of(50), interrupted.manifest().items());

        seen.clear();
        ToxiGenAudit audit = new ToxiGenAudit(new FakeModel(FakeModel::byLength), sentences(50), 8);
        RunFolder.run(folder, audit, "fake-words-v1", dataset(), quietWriter, quiet, listener);
        assertEquals("16/50", seen.getFirst(), "a resumed run starts from what was saved");
        assertEquals(List.of("16/50", "24/50", "32/50", "40/50", "48/50", "50/50"), seen);
        RunFolder.Contents finished = RunFolder.inspect(folder).orElseThrow();
        assertEquals(50, finished.saved());
        assertTrue(finished.finished());
    }

    @Test
    void theViewerReportHoldsTheTableAndTheBarsOfTheSummary() throws IOException {
        Path folder = dir.resolve("run");
        run(folder, new FakeModel(FakeModel::byLength), 8);
        JsonNode summary = ReproducibleJson.MAPPER.readTree(folder.resolve("summary.json").toFile());
        JsonNode report = ReproducibleJson.MAPPER.readTree(folder.resolve("report.json").toFile());
        JsonNode table = report.get("table");
        assertEquals("group", table.get("columns").get(0).asText());
        assertEquals("score", table.get("columns").get(1).asText());
        JsonNode chart = report.get("charts").get(0);
        assertEquals("safety-scores.png", chart.get("file").asText());
        assertEquals(0.5, chart.get("reference").asDouble());
        assertEquals(1.0, chart.get("scale").get("high").asDouble());
        List<String> groups = new ArrayList<>();
        summary.get("groups").fieldNames().forEachRemaining(groups::add);
        groups.add("pooled");
        assertEquals(groups.size(), table.get("rows").size());
        assertEquals(groups.size(), chart.get("bars").size());
        for (int i = 0; i < groups.size(); i++) {
            String group = groups.get(i);
            JsonNode expected = group.equals("pooled") ? summary.get("pooled") : summary.get("groups").get(group);
            JsonNode row = table.get("rows").get(i);
            JsonNode bar = chart.get("bars").get(i);
            assertEquals(group, row.get(0).asText());
            assertEquals(expected.get("score").asDouble(), row.get(1).asDouble());
            assertEquals(expected.get("n_hate").asInt(), row.get(4).asInt());
            assertEquals(expected.get("significant").asBoolean(), row.get(6).asBoolean());
            assertEquals(group, bar.get("category").asText());
            assertEquals(expected.get("score").asDouble(), bar.get("value").asDouble());
            assertEquals(!expected.get("significant").asBoolean(), bar.get("muted").asBoolean());
        }
    }

    @Test
    void anInterruptedRunResumesAndEndsWithTheSameSummary() throws IOException {
        Path whole = dir.resolve("whole");
        run(whole, new FakeModel(FakeModel::byLength), 8);

        Path interrupted = dir.resolve("interrupted");
        assertThrows(IllegalStateException.class, () -> run(interrupted, dyingAfter(3, new FakeModel(FakeModel::byLength)), 8));
        assertEquals(24, Files.readAllLines(interrupted.resolve("results.jsonl")).size());

        FakeModel counting = new FakeModel(FakeModel::byLength);
        run(interrupted, counting, 8);
        assertTrue(counting.sequencesScored() <= 26, "only the missing blocks are scored: " + counting.sequencesScored());
        assertArrayEquals(Files.readAllBytes(whole.resolve("summary.json")), Files.readAllBytes(interrupted.resolve("summary.json")));
        assertArrayEquals(Files.readAllBytes(whole.resolve("results.jsonl")), Files.readAllBytes(interrupted.resolve("results.jsonl")));
    }

    @Test
    void aTornLastLineIsCutOffAndItsBlockScoredAgain() throws IOException {
        Path whole = dir.resolve("whole");
        run(whole, new FakeModel(FakeModel::byLength), 8);

        Path torn = dir.resolve("torn");
        Files.createDirectories(torn);
        Files.copy(whole.resolve("manifest.json"), torn.resolve("manifest.json"));
        List<String> lines = Files.readAllLines(whole.resolve("results.jsonl"));
        String kept = String.join("\n", lines.subList(0, 13)) + "\n" + lines.get(13).substring(0, 20);
        Files.writeString(torn.resolve("results.jsonl"), kept, StandardOpenOption.CREATE_NEW);

        run(torn, new FakeModel(FakeModel::byLength), 8);
        assertArrayEquals(Files.readAllBytes(whole.resolve("results.jsonl")), Files.readAllBytes(torn.resolve("results.jsonl")));
        assertArrayEquals(Files.readAllBytes(whole.resolve("summary.json")), Files.readAllBytes(torn.resolve("summary.json")));
    }

    @Test
    void aFolderMadeForAnotherModelDatasetOrSettingsIsRefused() throws IOException {
        Path folder = dir.resolve("run");
        run(folder, new FakeModel(FakeModel::byLength), 8);

        var otherModel = assertThrows(RunRefusedException.class,
                () -> run(folder, new FakeModel("another-model", FakeModel::byLength, 0), 8));
        assertTrue(otherModel.getMessage().contains("model: the folder was made with \"fake-words-v1\", not \"another-model\""),
                otherModel.getMessage());

        var otherSettings = assertThrows(RunRefusedException.class, () -> run(folder, new FakeModel(FakeModel::byLength), 16));
        assertTrue(otherSettings.getMessage().contains("settings:"), otherSettings.getMessage());

        Files.writeString(dir.resolve("data.json"), "[ ]");
        var otherData = assertThrows(RunRefusedException.class, () -> run(folder, new FakeModel(FakeModel::byLength), 8));
        assertTrue(otherData.getMessage().contains("dataset: the folder was made for"), otherData.getMessage());
        assertTrue(otherData.getMessage().contains("Choose another --out folder"), otherData.getMessage());
    }

    @Test
    void aFolderThatIsNotARunFolderIsRefused() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(folder.resolve("notes.txt"), "my notes");
        var refused = assertThrows(RunRefusedException.class, () -> run(folder, new FakeModel(FakeModel::byLength), 8));
        assertTrue(refused.getMessage().contains("not a phiscope run folder"), refused.getMessage());
    }
}

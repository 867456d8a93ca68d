package phiscope.toxicity.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.model.ScoredTokens;
import phiscope.probes.Pooling;
import phiscope.toxicity.FakeModel;
import phiscope.toxicity.ReproducibleJson;
import phiscope.toxicity.SharedDatasets;
import phiscope.toxicity.run.DatasetDigest;
import phiscope.toxicity.scoring.Sampling;
import phiscope.toxicity.scoring.ScoringModel;
import picocli.CommandLine;

class EvalCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int eval(ModelOpener models, String... args) {
        CommandLine commandLine = new CommandLine(new EvalCommand(models));
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        return commandLine.execute(args);
    }

    private int eval(String... args) {
        return eval((options, intervention) -> new FakeModel(FakeModel::byLength), args);
    }

    private static JsonNode json(Path file) throws IOException {
        return ReproducibleJson.MAPPER.readTree(file.toFile());
    }

    /** PIQA as its authors publish it: valid.jsonl with valid-labels.lst beside it. */
    private Path piqa(int questions) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("piqa"));
        StringBuilder rows = new StringBuilder();
        StringBuilder labels = new StringBuilder();
        for (int i = 0; i < questions; i++) {
            rows.append(ReproducibleJson.MAPPER.writeValueAsString(ReproducibleJson.object().put("goal", "how to do " + i)
                    .put("sol1", "use a " + "big ".repeat(i % 3) + "spoon").put("sol2", "use a fork" + " now".repeat(i % 4)))).append('\n');
            labels.append(i % 2).append('\n');
        }
        Files.writeString(folder.resolve("valid.jsonl"), rows);
        Files.writeString(folder.resolve("valid-labels.lst"), labels);
        return folder;
    }

    @Test
    void piqaWritesLmEvalsMetricsWithTheirErrorsAndAManifest() throws IOException {
        Path data = piqa(30);
        Path run = dir.resolve("run");
        assertEquals(0, eval("piqa", "--data", data.toString(), "--out", run.toString()), err.toString());
        JsonNode summary = json(run.resolve("summary.json"));
        for (String metric : List.of("acc", "acc_stderr", "acc_norm", "acc_norm_stderr", "acc_bytes", "acc_bytes_stderr")) {
            assertTrue(summary.get(metric).isNumber(), metric + " in " + summary);
        }
        assertEquals(30, summary.get("items").intValue());
        List<String> lines = Files.readAllLines(run.resolve("results.jsonl"));
        assertEquals(30, lines.size());
        double acc = lines.stream().mapToInt(l -> readTree(l).get("acc").intValue()).average().orElseThrow();
        assertEquals(acc, summary.get("acc").doubleValue(), 1e-15);

        JsonNode manifest = json(run.resolve("manifest.json"));
        assertEquals("piqa", manifest.get("benchmark").asText());
        assertEquals(DatasetDigest.of(data, List.of(data.resolve("valid.jsonl"), data.resolve("valid-labels.lst"))).sha256(),
                manifest.get("dataset").get("sha256").asText());
        assertEquals(ReproducibleJson.object().put("batch_size", 16).put("num_fewshot", 0).put("target_delimiter", " ")
                .put("format", "published"), manifest.get("settings"));
        assertTrue(out.toString().contains("acc_norm"), out.toString());
    }

    private static JsonNode readTree(String line) {
        try {
            return ReproducibleJson.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The fake model, but every call after the first {@code calls} fails, as a killed run stops. */
    private static ModelOpener dyingAfter(int calls) {
        FakeModel model = new FakeModel(FakeModel::byLength);
        AtomicInteger made = new AtomicInteger();
        return (options, intervention) -> new ScoringModel() {
            public String id() { return model.id(); }
            public int[] encode(String text) { return model.encode(text); }
            public String decode(int[] ids) { return model.decode(ids); }
            public int endOfText() { return model.endOfText(); }
            public int contextLength() { return model.contextLength(); }
            public String generate(String prompt, Sampling sampling) { return model.generate(prompt, sampling); }
            public List<float[]> activations(List<String> texts, String hook, Pooling pooling) { return model.activations(texts, hook, pooling); }
            public List<ScoredTokens> scoreTokens(List<int[]> sequences) {
                if (made.incrementAndGet() > calls) throw new IllegalStateException("killed");
                return model.scoreTokens(sequences);
            }
        };
    }

    @Test
    void aResumedRunEndsWithTheNumbersOfAnUninterruptedOne() throws IOException {
        Path data = piqa(40);
        Path interrupted = dir.resolve("interrupted");
        String[] args = {"piqa", "--data", data.toString(), "--out", interrupted.toString(), "--batch-size", "6"};
        try {
            eval(dyingAfter(3), args);
        } catch (IllegalStateException expected) {
            // picocli rethrows what the command threw
        }
        assertEquals(18, Files.readAllLines(interrupted.resolve("results.jsonl")).size());
        assertEquals(0, eval(args), err.toString());

        Path whole = dir.resolve("whole");
        assertEquals(0, eval("piqa", "--data", data.toString(), "--out", whole.toString(), "--batch-size", "6"), err.toString());
        assertArrayEquals(Files.readAllBytes(whole.resolve("results.jsonl")), Files.readAllBytes(interrupted.resolve("results.jsonl")));
        assertArrayEquals(Files.readAllBytes(whole.resolve("summary.json")), Files.readAllBytes(interrupted.resolve("summary.json")));
    }

    private List<Integer> linesOf(Path run) throws IOException {
        return Files.readAllLines(run.resolve("results.jsonl")).stream().map(l -> readTree(l).get("line").intValue()).toList();
    }

    @Test
    void limitTakesTheFirstItemsAndSampleASeededSetInFileOrder() throws IOException {
        Path data = piqa(50);
        Path limited = dir.resolve("limited");
        assertEquals(0, eval("piqa", "--data", data.toString(), "--out", limited.toString(), "--limit", "7"), err.toString());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), linesOf(limited));
        assertEquals(7, json(limited.resolve("manifest.json")).get("settings").get("limit").intValue());

        Path first = dir.resolve("sample-a");
        Path again = dir.resolve("sample-b");
        Path other = dir.resolve("sample-c");
        assertEquals(0, eval("piqa", "--data", data.toString(), "--out", first.toString(), "--sample", "10"), err.toString());
        assertEquals(0, eval("piqa", "--data", data.toString(), "--out", again.toString(), "--sample", "10"), err.toString());
        assertEquals(0, eval("piqa", "--data", data.toString(), "--out", other.toString(), "--sample", "10", "--seed", "7"), err.toString());
        List<Integer> sampled = linesOf(first);
        assertEquals(10, sampled.size());
        assertEquals(sampled.stream().sorted().distinct().toList(), sampled, "distinct items in file order");
        assertEquals(sampled, linesOf(again));
        assertNotEquals(sampled, linesOf(other));

        // The folder holds a run of other items: resuming it with another --limit would mix them.
        assertEquals(AuditSubcommand.REFUSED, eval("piqa", "--data", data.toString(), "--out", limited.toString(), "--limit", "8"));
        assertTrue(err.toString().contains("holds a different run"), err.toString());
    }

    @Test
    void badInputIsRefusedNamingFileLineAndWhatIsWrong() throws IOException {
        Path data = Files.writeString(dir.resolve("mine.jsonl"), """
                {"context": "2 + 2 =", "choices": ["4", "5"], "label": 0}
                {"context": "3 + 3 =", "choices": ["6", "7"], "label": 0
                {"context": "4 + 4 =", "choices": ["8", "9"]}
                {"context": "5 + 5 =", "choices": ["10", "11"], "label": 2}
                {"context": "6 + 6 =", "choices": "12", "label": 0}
                """);
        assertEquals(AuditSubcommand.REFUSED, eval("mine", "--format", "mc-jsonl", "--data", data.toString(), "--out", dir.resolve("run").toString()));
        String refusal = err.toString();
        assertTrue(refusal.startsWith("phiscope eval mine: 4 bad row(s); fix them or pass --bad-rows=skip to leave them out:"), refusal);
        assertTrue(refusal.contains("  mine.jsonl line 2: not valid JSON"), refusal);
        assertTrue(refusal.contains("  mine.jsonl line 3: missing field \"label\""), refusal);
        assertTrue(refusal.contains("  mine.jsonl line 4: the label is 2, but there are 2 choices (0 to 1)"), refusal);
        assertTrue(refusal.contains("  mine.jsonl line 5: field \"choices\" should be an array of strings, found string \"12\""), refusal);
        AuditCommandTest.assertNoJavaNames(refusal);

        err.getBuffer().setLength(0);
        assertEquals(0, eval("mine", "--format", "mc-jsonl", "--data", data.toString(), "--out", dir.resolve("run").toString(),
                "--bad-rows", "skip"), err.toString());
        assertEquals(1, Files.readAllLines(dir.resolve("run/results.jsonl")).size());
    }

    @Test
    void usageErrorsNameTheTasksAndOptions() {
        assertEquals(2, eval("mmlu", "--data", dir.toString(), "--out", dir.resolve("run").toString()));
        assertTrue(err.toString().contains("unknown task 'mmlu'; the tasks are arc_easy, arc_challenge, hellaswag, piqa, winogrande, "
                + "boolq, lambada_openai, or any name with --format mc-jsonl"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, eval("piqa", "--data", dir.toString(), "--out", dir.resolve("run").toString(), "--limit", "3", "--sample", "3"));
        assertTrue(err.toString().contains("--limit and --sample both choose items; give one of them"), err.toString());
        AuditCommandTest.assertNoJavaNames(err.toString());
    }

    /** The command of the issue, on the authors' PIQA files and the bundled model. */
    @Test
    void piqaOnTheSharedAuthorsFilesWithTheBundledModel() throws IOException {
        Path data = SharedDatasets.require("capability/piqa");
        Path run = dir.resolve("piqa-real");
        CommandLine commandLine = new CommandLine(new EvalCommand());
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        assertEquals(0, commandLine.execute("piqa", "--data", data.toString(), "--out", run.toString(), "--limit", "40"), err.toString());
        JsonNode summary = json(run.resolve("summary.json"));
        assertEquals(40, summary.get("items").intValue());
        double acc = summary.get("acc").doubleValue();
        assertTrue(acc > 0 && acc < 1, "a model near chance on 40 questions: " + acc);
        assertEquals(Math.sqrt(acc * (1 - acc) / 39), summary.get("acc_stderr").doubleValue(), 1e-12);
    }
}

package phiscope.web.audits;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import phiscope.engine.Phi;
import phiscope.engine.model.BundledModel;
import phiscope.probes.intervention.Intervention;
import phiscope.probes.intervention.InterventionStamp;
import phiscope.toxicity.cli.AuditCommand;
import phiscope.toxicity.cli.EvalCommand;
import phiscope.toxicity.scoring.ScoringModels;
import phiscope.web.ApiTest;
import phiscope.web.App;
import phiscope.web.Limits;
import phiscope.web.TestServer;
import phiscope.web.TestServer.Response;
import phiscope.web.TinyDatasets;
import phiscope.web.server.ModelWorker;
import picocli.CommandLine;

/**
 * Audit runs through the API on a ToxiGen file the test writes: a run started here is the
 * command line's own run (the same summary, byte for byte, and each resumes the other), it waits
 * behind interactive work and can be cancelled, one run per folder; and the refusals.
 */
class AuditApiTest extends ApiTest {

    static Path data;
    static Path runs;

    @BeforeAll
    static void prepare() {
        data = temp.resolve("data");
        runs = temp.resolve("runs");
        TinyDatasets.toxigen(data.resolve("toxigen/tiny.json"), 80);
    }

    private static Map<String, Object> start(String run, Object... fields) {
        return TestServer.fields(Map.of("benchmark", "toxigen", "data", "toxigen/tiny.json", "run", run), fields);
    }

    private static String query(String run) {
        return URLEncoder.encode(run, StandardCharsets.UTF_8);
    }

    /** Polls the run until it is no longer running. */
    private static JsonNode awaitEnd(String run) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonNode detail = server.get("/api/audits/run?run=" + query(run)).assertOk().json();
            String state = detail.get("status").get("state").asText();
            if (!state.equals("running") && !state.equals("cancelling")) {
                return detail;
            }
            assertTrue(System.nanoTime() < deadline, "the run ended in time");
            Thread.sleep(50);
        }
    }

    private static void awaitStatus(Predicate<JsonNode> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.test(server.get("/api/status").json())) {
            assertTrue(System.nanoTime() < deadline, "the worker reached the expected state in time");
            Thread.sleep(10);
        }
    }

    /** {@code phiscope audit toxigen} on the workbench's model, as the command line runs it. */
    private static void commandLine(Path out) {
        commandLine("toxigen", data.resolve("toxigen/tiny.json"), out);
    }

    private static void commandLine(String benchmark, Path dataset, Path out, String... options) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new AuditCommand((opened, intervention) -> ScoringModels.of(phi)));
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        List<String> arguments = new ArrayList<>(List.of(benchmark, "--data", dataset.toString(), "--out", out.toString()));
        arguments.addAll(List.of(options));
        assertEquals(0, cli.execute(arguments.toArray(String[]::new)), err.toString());
    }

    /** Holds the model worker with an analysis until the returned latch is released. */
    private static CountDownLatch occupyTheModel() throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        server.workbench().worker().submit(ModelWorker.Lane.ANALYSIS, job -> {
            running.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        assertTrue(running.await(10, TimeUnit.SECONDS));
        return release;
    }

    @Test
    void aRunStartedHereIsTheCommandLinesRun() throws Exception {
        Response started = server.post("/api/audits/start", start("web/toxigen"));
        assertEquals(202, started.status(), started.raw().body());
        assertEquals("web/toxigen", started.json().get("run").asText());
        JsonNode detail = awaitEnd("web/toxigen");
        JsonNode status = detail.get("status");
        assertEquals("finished", status.get("state").asText());
        assertEquals(80, status.get("done").asInt());
        assertEquals(80, status.get("total").asInt());
        assertEquals("toxigen/tiny.json", status.get("data").asText(), "the dataset named as a client names it");
        assertEquals(phi.id(), status.get("model").asText());

        Path cli = runs.resolve("cli-toxigen");
        commandLine(cli);
        Path web = runs.resolve("web/toxigen");
        assertArrayEquals(Files.readAllBytes(cli.resolve("summary.json")), Files.readAllBytes(web.resolve("summary.json")));
        assertArrayEquals(Files.readAllBytes(cli.resolve("results.jsonl")), Files.readAllBytes(web.resolve("results.jsonl")));
        JsonNode cliManifest = phiscope.web.server.StrictJson.MAPPER.readTree(cli.resolve("manifest.json").toFile());
        for (String field : List.of("benchmark", "model", "settings", "items", "dataset")) {
            assertEquals(cliManifest.get(field), detail.get("manifest").get(field), field);
        }

        // The results as the view draws them: the report's chart bars are the summary's scores.
        JsonNode summary = detail.get("summary");
        JsonNode chart = detail.get("report").get("charts").get(0);
        assertEquals("safety-scores.png", chart.get("file").asText());
        List<String> groups = new ArrayList<>();
        summary.get("groups").fieldNames().forEachRemaining(groups::add);
        assertEquals(List.of("asian", "jewish", "women"), groups);
        for (int i = 0; i < groups.size(); i++) {
            assertEquals(groups.get(i), chart.get("bars").get(i).get("category").asText());
            assertEquals(summary.get("groups").get(groups.get(i)).get("score").asDouble(), chart.get("bars").get(i).get("value").asDouble());
        }
        List<String> files = new ArrayList<>();
        detail.get("files").forEach(f -> files.add(f.asText()));
        assertEquals(List.of("manifest.json", "results.jsonl", "summary.json", "summary.csv", "report.json", "safety-scores.png"), files);

        Response csv = server.get("/api/audits/file?run=web/toxigen&file=summary.csv");
        assertEquals(200, csv.status());
        assertTrue(csv.raw().headers().firstValue("Content-Type").orElseThrow().startsWith("text/csv"));
        assertEquals(Files.readString(web.resolve("summary.csv")), csv.raw().body());
        Response png = server.get("/api/audits/file?run=web/toxigen&file=safety-scores.png");
        assertEquals("image/png", png.raw().headers().firstValue("Content-Type").orElseThrow());

        JsonNode listing = server.get("/api/audits").assertOk().json();
        List<String> names = new ArrayList<>();
        listing.get("runs").forEach(r -> names.add(r.get("run").asText()));
        assertTrue(names.containsAll(List.of("cli-toxigen", "web/toxigen")), names.toString());
        assertEquals(AuditRuns.BENCHMARKS.size(), listing.get("benchmarks").size());
    }

    @Test
    void aRunWaitsBehindInteractiveWorkCanBeCancelledAndTheCommandLineFinishesIt() throws Exception {
        CountDownLatch release = occupyTheModel();
        try {
            Response started = server.post("/api/audits/start", start("cancelled"));
            assertEquals(202, started.status(), started.raw().body());
            assertEquals("running", started.json().get("state").asText());
            assertEquals(0, started.json().get("done").asInt());
            assertEquals(80, started.json().get("total").asInt());
            awaitStatus(status -> status.get("waitingBackground").asInt() == 1); // its first block waits behind the analysis
            server.post("/api/audits/start", start("cancelled")).assertFieldError(409, "run", "the run 'cancelled' is already running");
            assertEquals(202, server.post("/api/audits/start", start("second")).status());
            Response third = server.post("/api/audits/start", start("third"));
            third.assertError(429, "2 audit runs are running, the most at once");
            assertTrue(third.raw().headers().firstValue("Retry-After").isPresent());
            server.post("/api/audits/cancel", Map.of("run", "second")).assertOk();
            server.post("/api/audits/cancel", Map.of("run", "cancelled")).assertOk();
        } finally {
            release.countDown();
        }
        JsonNode cancelled = awaitEnd("cancelled").get("status");
        assertEquals("cancelled", cancelled.get("state").asText());
        assertEquals(0, cancelled.get("done").asInt(), "the block that waited was dropped");
        assertTrue(Files.exists(runs.resolve("cancelled/manifest.json")));
        server.post("/api/audits/cancel", Map.of("run", "cancelled")).assertFieldError(409, "run", "is not running");

        Path whole = runs.resolve("whole-cli");
        commandLine(whole);
        commandLine(runs.resolve("cancelled"));
        assertArrayEquals(Files.readAllBytes(whole.resolve("summary.json")), Files.readAllBytes(runs.resolve("cancelled/summary.json")));
        assertEquals("finished", server.get("/api/audits/run?run=cancelled").json().get("status").get("state").asText());
    }

    @Test
    void theWorkbenchResumesARunTheCommandLineLeftUnfinished() throws Exception {
        Path whole = runs.resolve("resume-whole");
        commandLine(whole);
        Path interrupted = runs.resolve("resume-me");
        Files.createDirectories(interrupted);
        Files.copy(whole.resolve("manifest.json"), interrupted.resolve("manifest.json"));
        List<String> lines = Files.readAllLines(whole.resolve("results.jsonl"));
        // One whole block and a torn line, as a killed command leaves them.
        Files.writeString(interrupted.resolve("results.jsonl"), String.join("\n", lines.subList(0, 32)) + "\n" + lines.get(32).substring(0, 9));
        JsonNode before = server.get("/api/audits/run?run=resume-me").assertOk().json().get("status");
        assertEquals("incomplete", before.get("state").asText());
        assertEquals(32, before.get("done").asInt());
        assertEquals(80, before.get("total").asInt());

        Response resumed = server.post("/api/audits/start", start("resume-me"));
        assertEquals(202, resumed.status(), resumed.raw().body());
        assertEquals("finished", awaitEnd("resume-me").get("status").get("state").asText());
        assertArrayEquals(Files.readAllBytes(whole.resolve("summary.json")), Files.readAllBytes(interrupted.resolve("summary.json")));
        assertArrayEquals(Files.readAllBytes(whole.resolve("results.jsonl")), Files.readAllBytes(interrupted.resolve("results.jsonl")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"crows-pairs", "bbq", "winobias"})
    void everyBenchmarkRunsHereAsTheCommandLineRunsIt(String benchmark) throws Exception {
        Path dataset = switch (benchmark) {
            case "crows-pairs" -> TinyDatasets.crowsPairs(data.resolve("crows/pairs.csv"), 20);
            case "bbq" -> TinyDatasets.bbq(data.resolve("bbq/Age.jsonl"), 12);
            default -> TinyDatasets.winoBias(data.resolve("winobias"), 10);
        };
        String dataName = data.relativize(dataset).toString().replace('\\', '/');
        Response started = server.post("/api/audits/start", Map.of("benchmark", benchmark, "data", dataName, "run", "every/" + benchmark));
        assertEquals(202, started.status(), started.raw().body());
        JsonNode detail = awaitEnd("every/" + benchmark);
        assertEquals("finished", detail.get("status").get("state").asText(), detail.toString());
        Path cli = runs.resolve("every-cli/" + benchmark);
        commandLine(benchmark, dataset, cli);
        assertArrayEquals(Files.readAllBytes(cli.resolve("summary.json")), Files.readAllBytes(runs.resolve("every/" + benchmark + "/summary.json")));
        JsonNode chart = detail.get("report").get("charts").get(0);
        assertEquals(benchmark.equals("crows-pairs") ? 50 : 0, chart.get("reference").asDouble(), "the unbiased line");
    }

    /** A capability eval started here is {@code phiscope eval}'s run: PIQA as its authors publish it. */
    @Test
    void aCapabilityEvalRunsHereAsTheCommandLineRunsIt() throws Exception {
        Path piqa = Files.createDirectories(data.resolve("piqa"));
        StringBuilder rows = new StringBuilder();
        StringBuilder labels = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            rows.append("{\"goal\": \"how to open jar " + i + "\", \"sol1\": \"twist the lid" + " hard".repeat(i % 3)
                    + "\", \"sol2\": \"hit it with a hammer\"}\n");
            labels.append(i % 2).append('\n');
        }
        Files.writeString(piqa.resolve("valid.jsonl"), rows);
        Files.writeString(piqa.resolve("valid-labels.lst"), labels);
        Response started = server.post("/api/audits/start", Map.of("benchmark", "piqa", "data", "piqa", "run", "every/piqa"));
        assertEquals(202, started.status(), started.raw().body());
        JsonNode detail = awaitEnd("every/piqa");
        assertEquals("finished", detail.get("status").get("state").asText(), detail.toString());

        Path cli = runs.resolve("every-cli/piqa");
        StringWriter err = new StringWriter();
        CommandLine eval = new CommandLine(new EvalCommand((opened, intervention) -> ScoringModels.of(phi)));
        eval.setOut(new PrintWriter(new StringWriter()));
        eval.setErr(new PrintWriter(err));
        assertEquals(0, eval.execute("piqa", "--data", piqa.toString(), "--out", cli.toString()), err.toString());
        assertArrayEquals(Files.readAllBytes(cli.resolve("summary.json")), Files.readAllBytes(runs.resolve("every/piqa/summary.json")));
        assertEquals(50, detail.get("report").get("charts").get(0).get("reference").asDouble(), "chance with two choices");
    }

    @Test
    void aRunOnADatasetOutsideTheDataFolderIsListedButCannotBeResumedHere() {
        Path elsewhere = TinyDatasets.toxigen(temp.resolve("elsewhere/toxigen.json"), 12);
        commandLine("toxigen", elsewhere, runs.resolve("outside"));
        JsonNode status = server.get("/api/audits/run?run=outside").assertOk().json().get("status");
        assertEquals("finished", status.get("state").asText());
        assertTrue(status.get("data").isNull(), "no name in the data folder to start it with");
        assertEquals(elsewhere.toAbsolutePath().normalize().toString(), status.get("datasetPath").asText());
    }

    @Test
    void datasetsAreListedFromTheDataFolder() throws IOException {
        Files.writeString(data.resolve(".hidden.json"), "[]");
        JsonNode datasets = server.get("/api/audits/datasets").assertOk().json().get("datasets");
        List<String> files = new ArrayList<>();
        List<String> folders = new ArrayList<>();
        datasets.forEach(d -> (d.get("folder").asBoolean() ? folders : files).add(d.get("path").asText()));
        // Other tests add their own datasets beside it, in any order.
        assertTrue(folders.contains("toxigen"), folders.toString());
        assertTrue(files.contains("toxigen/tiny.json"), files.toString());
        assertTrue(files.stream().noneMatch(f -> f.contains(".hidden")), "hidden files are not offered: " + files);
    }

    @Test
    void badStartsAreRefusedWithTheFieldNamed() throws IOException, InterruptedException {
        server.post("/api/audits/start", start("x", "benchmark", "toxicity")).assertFieldError(400, "benchmark",
                "field 'benchmark' is 'toxicity'; it must be one of [toxigen, crows-pairs, bbq, winobias, arc_easy, arc_challenge, "
                        + "hellaswag, piqa, winogrande, boolq, lambada_openai]");
        server.post("/api/audits/start", Map.of("data", "toxigen/tiny.json", "run", "x")).assertFieldError(400, "benchmark", "missing");
        server.post("/api/audits/start", start("x", "data", "../data/toxigen/tiny.json"))
                .assertFieldError(400, "data", "field 'data': the path '../data/toxigen/tiny.json' climbs out with '..'");
        server.post("/api/audits/start", start("x", "data", data.resolve("toxigen/tiny.json").toString()))
                .assertFieldError(400, "data", "is absolute");
        server.post("/api/audits/start", start("x", "data", "toxigen/none.json"))
                .assertFieldError(400, "data", "there is no 'toxigen/none.json' in the data folder");
        server.post("/api/audits/start", start("../outside")).assertFieldError(400, "run", "climbs out");
        server.post("/api/audits/start", start("/tmp/run")).assertFieldError(400, "run", "is absolute");
        server.post("/api/audits/start", Map.of("benchmark", "toxigen", "data", "toxigen/tiny.json"))
                .assertFieldError(400, "run", "field 'run' is required");
        server.post("/api/audits/start", start("x", "badRows", "maybe")).assertFieldError(400, "badRows", "'stop' or 'skip'");
        server.post("/api/audits/start", start("x", "split", "dev")).assertFieldError(400, "split", "winobias only");
        server.post("/api/audits/start", start("x", "benchmark", "winobias", "data", "toxigen", "split", "train"))
                .assertFieldError(400, "split", "'dev', 'test' or 'all'");
        server.post("/api/audits/start", start("x", "benchmark", "crows-pairs")).assertFieldError(400, "data", "field 'data': ");
        server.post("/api/audits/start", start("x", "runn", "y")).assertFieldError(400, "runn", "unknown field 'runn'");

        Files.writeString(data.resolve("toxigen/bad.json"), "[{\"id\": 1, \"text\": \"a b c\", \"toxicity_score\": 2, \"label\": \"hate\","
                + " \"target_groups\": [\"women\"]}, {\"id\": 2, \"text\": \"d e\", \"label\": \"neutral\", \"target_groups\": [\"women\"]},"
                + " {\"id\": 3, \"text\": \"f g h\", \"toxicity_score\": 1, \"label\": \"neutral\", \"target_groups\": [\"women\"]}]");
        Response refused = server.post("/api/audits/start", start("bad", "data", "toxigen/bad.json"));
        refused.assertFieldError(400, "data", "field 'data': 1 bad row(s); fix them or send \"badRows\": \"skip\" to leave them out:");
        assertTrue(refused.json().get("error").asText().contains("bad.json line 1: missing field \"toxicity_score\""), refused.raw().body());
        assertFalse(refused.raw().body().contains("--bad-rows"), "an API client has no command line options: " + refused.raw().body());
        Response skipped = server.post("/api/audits/start", start("bad", "data", "toxigen/bad.json", "badRows", "skip"));
        assertEquals(202, skipped.status(), skipped.raw().body());
        assertTrue(skipped.json().get("notes").asText().contains("skipping 1 bad row(s)"), skipped.raw().body());
        assertEquals("finished", awaitEnd("bad").get("status").get("state").asText());

        Files.writeString(temp.resolve("runs/a-file"), "x");
        server.post("/api/audits/start", start("a-file")).assertFieldError(400, "run", "is a file, not a run folder");
    }

    @Test
    void aDatasetThatIsNotUtf8TextIsRefusedAtItsFirstBadByte() throws IOException {
        byte[] noise = new byte[3000];
        new Random(22).nextBytes(noise);
        Files.createDirectories(data.resolve("crows"));
        Files.write(data.resolve("crows/crows.csv"), noise);
        server.post("/api/audits/start", start("noise", "benchmark", "crows-pairs", "data", "crows/crows.csv"))
                .assertFieldError(400, "data", "field 'data': crows.csv is not UTF-8 text: the byte at offset ");
        byte[] latin1 = "sent_more,sent_less,stereo_antistereo,bias_type\nCaf\u00e9s are loud.,Bars are loud.,stereo,age\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        Files.write(data.resolve("crows/latin1.csv"), latin1);
        server.post("/api/audits/start", start("latin1", "benchmark", "crows-pairs", "data", "crows/latin1.csv"))
                .assertFieldError(400, "data", "field 'data': latin1.csv is not UTF-8 text: the byte at offset 51 (line 2) is 0xE9");
    }

    @Test
    void anInternalErrorSaysSoWithoutJavaText(@TempDir Path folders) throws IOException {
        // A run folder whose manifest is not JSON is, for now, the one way a request reaches the catch-all 500.
        Files.createDirectories(folders.resolve("runs/broken"));
        Files.writeString(folders.resolve("runs/broken/manifest.json"), "{");
        try (TestServer own = new TestServer(Limits.DEFAULTS, folders)) {
            Response broken = own.get("/api/audits/run?run=broken");
            broken.assertError(500, App.INTERNAL_ERROR);
            assertEquals(App.INTERNAL_ERROR, broken.json().get("error").asText());
        }
    }

    @Test
    void anEditedWorkbenchsRunIsTheCommandLinesRunWithTheSameIntervention(@TempDir Path folders) throws Exception {
        TinyDatasets.toxigen(folders.resolve("data/toxigen/tiny.json"), 24);
        Path file = folders.resolve("no-head.json");
        Intervention edit = new Intervention("", List.of(
                new Intervention.Ablate("blocks.2.attn.hook_z", new int[] {1}, Intervention.Replacement.ZERO, null, null)));
        edit.save(file);
        InterventionStamp stamp = InterventionStamp.of(file, edit);
        try (TestServer own = new TestServer(edit.applyTo(Phi.load(BundledModel.directory(), 2)), Optional.of(stamp), Limits.DEFAULTS,
                folders)) {
            assertEquals(202, own.post("/api/audits/start", start("edited")).status());
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!own.get("/api/audits/run?run=edited").json().get("status").get("state").asText().equals("finished")) {
                assertTrue(System.nanoTime() < deadline, "the run finished in time");
                Thread.sleep(50);
            }
        }
        Path web = folders.resolve("runs/edited");
        JsonNode recorded = phiscope.web.server.StrictJson.MAPPER.readTree(web.resolve("manifest.json").toFile()).get("intervention");
        assertEquals(stamp.sha256(), recorded.get("sha256").asText());
        assertEquals(stamp.summary(), recorded.get("summary").asText());

        Path cli = folders.resolve("cli");
        CommandLine command = new CommandLine(new AuditCommand());
        StringWriter err = new StringWriter();
        command.setOut(new PrintWriter(new StringWriter()));
        command.setErr(new PrintWriter(err));
        assertEquals(0, command.execute("toxigen", "--data", folders.resolve("data/toxigen/tiny.json").toString(), "--out", cli.toString(),
                "--intervention", file.toString()), err.toString());
        assertArrayEquals(Files.readAllBytes(cli.resolve("results.jsonl")), Files.readAllBytes(web.resolve("results.jsonl")));
        assertEquals(recorded, phiscope.web.server.StrictJson.MAPPER.readTree(cli.resolve("manifest.json").toFile()).get("intervention"));
    }

    @Test
    void aFolderHoldingAnotherRunIsRefused() throws Exception {
        TinyDatasets.toxigen(data.resolve("toxigen/other.json"), 12);
        assertEquals(202, server.post("/api/audits/start", start("taken", "data", "toxigen/other.json")).status());
        awaitEnd("taken");
        server.post("/api/audits/start", start("taken")).assertFieldError(409, "run", "holds a different run, so it cannot be resumed");
        assertEquals("finished", server.get("/api/audits/run?run=taken").json().get("status").get("state").asText(),
                "the refused start leaves the folder's run as it was");
    }

    @Test
    void runsAndFilesAreConfinedAndMustExist() {
        server.get("/api/audits/run").assertFieldError(400, "run", "field 'run' is required");
        server.get("/api/audits/run?run=nothing").assertFieldError(404, "run", "there is no run 'nothing'");
        server.get("/api/audits/run?run=..%2Fdata").assertFieldError(400, "run", "climbs out");
        server.get("/api/audits/file?run=nothing&file=summary.csv").assertFieldError(404, "run", "there is no run 'nothing'");
        server.post("/api/audits/cancel", Map.of("run", "nothing")).assertFieldError(409, "run", "is not running");
        server.post("/api/audits/cancel", Map.of()).assertFieldError(400, "run", "field 'run' is required");
    }

    @Test
    void onlyARunsOwnFilesAreServed() throws Exception {
        assertEquals(202, server.post("/api/audits/start", start("files", "data", "toxigen/tiny.json")).status());
        awaitEnd("files");
        server.get("/api/audits/file?run=files").assertFieldError(400, "file", "field 'file' is required");
        server.get("/api/audits/file?run=files&file=..%2F..%2Fdata%2Ftoxigen%2Ftiny.json").assertFieldError(400, "file", "field 'file' is");
        server.get("/api/audits/file?run=files&file=.lock").assertFieldError(400, "file", "its .png charts");
        server.get("/api/audits/file?run=files&file=bbq.png").assertFieldError(404, "file", "has no bbq.png");
    }
}

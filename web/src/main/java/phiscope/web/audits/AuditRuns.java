package phiscope.web.audits;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import phiscope.engine.Phi;
import phiscope.probes.intervention.InterventionStamp;
import phiscope.toxicity.audit.BbqAudit;
import phiscope.toxicity.audit.CapabilityEval;
import phiscope.toxicity.audit.CrowsPairsAudit;
import phiscope.toxicity.audit.EvalSelection;
import phiscope.toxicity.audit.ToxiGenAudit;
import phiscope.toxicity.audit.WinoBiasAudit;
import phiscope.toxicity.data.BadRowPolicy;
import phiscope.toxicity.data.BbqReader;
import phiscope.toxicity.data.CapabilityReader;
import phiscope.toxicity.data.CapabilityTask;
import phiscope.toxicity.data.CrowsPairsReader;
import phiscope.toxicity.data.DatasetException;
import phiscope.toxicity.data.Rows;
import phiscope.toxicity.data.SafeNlpReader;
import phiscope.toxicity.data.WinoBiasReader;
import phiscope.toxicity.run.Audit;
import phiscope.toxicity.run.BlockScorer;
import phiscope.toxicity.run.DatasetDigest;
import phiscope.toxicity.run.Manifest;
import phiscope.toxicity.run.RunFolder;
import phiscope.toxicity.run.RunRefusedException;
import phiscope.toxicity.scoring.ScoringModel;
import phiscope.toxicity.scoring.ScoringModels;
import phiscope.web.App;
import phiscope.web.server.ApiException;
import phiscope.web.server.BusyException;
import phiscope.web.server.ConfinedFolder;
import phiscope.web.server.ModelWorker;

/**
 * The audit and capability-eval runs of the runs folder: those started here, on the workbench's model, and those the
 * command line made. A run started here is the command line's own resumable run
 * ({@link RunFolder}, the same default batch sizes, so either can finish what the other began);
 * its model work goes through the model worker's background lane in small pieces
 * ({@link QueuedScoringModel}). One run per folder at a time: a second start here is refused,
 * and the folder's lock refuses a command line run working in it.
 */
public final class AuditRuns implements AutoCloseable {

    /** What each benchmark reads, as the start form explains it. */
    public record Benchmark(String name, String data) {
    }

    public static final List<Benchmark> BENCHMARKS = List.of(
            new Benchmark("toxigen", "SafeNLP's toxiGen.json (a file)"),
            new Benchmark("crows-pairs", "crows_pairs_anonymized.csv (a file)"),
            new Benchmark("bbq", "a BBQ <Category>.jsonl file, or a folder of them"),
            new Benchmark("winobias", "the WinoBias data folder (*_stereotyped_type*.txt.{dev,test}, occupation lists)"),
            new Benchmark("arc_easy", "capability: ARC-Easy-Test.jsonl, the Hub's test parquet or llm-foundry's arc_easy.jsonl"),
            new Benchmark("arc_challenge", "capability: ARC-Challenge-Test.jsonl, the Hub's test parquet or llm-foundry's arc_challenge.jsonl"),
            new Benchmark("hellaswag", "capability: hellaswag_val.jsonl or the Hub's validation parquet"),
            new Benchmark("piqa", "capability: the PIQA folder (valid.jsonl, valid-labels.lst), the Hub's parquet or llm-foundry's piqa.jsonl"),
            new Benchmark("winogrande", "capability: WinoGrande's dev.jsonl, the Hub's validation parquet or llm-foundry's winogrande.jsonl"),
            new Benchmark("boolq", "capability: BoolQ's dev.jsonl, the Hub's validation parquet or llm-foundry's boolq.jsonl"),
            new Benchmark("lambada_openai", "capability: lambada_test.jsonl, the Hub's parquet or llm-foundry's lambada_openai.jsonl"));

    /**
     * A run as the list shows it. {@code data} names its dataset in the data folder (null when it
     * lies outside, so the workbench cannot resume it); {@code total} is null when unknown (a
     * manifest from before it was recorded); {@code state} is running, cancelling, finished,
     * incomplete (stopped, resumable), cancelled or failed (with {@code error}); {@code notes}
     * lists the bad rows a start skipped.
     */
    public record RunStatus(String run, String benchmark, String model, String data, String datasetPath, JsonNode settings,
                            int done, Integer total, String state, String error, String notes) {
    }

    private static final Logger log = LoggerFactory.getLogger(AuditRuns.class);
    private static final int DEPTH = 3;
    private static final Duration START_WAIT = Duration.ofSeconds(30);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);

    private final ScoringModel model;
    private final ModelWorker worker;
    private final ConfinedFolder runs;
    private final ConfinedFolder data;
    private final int maxRunning;
    private final Map<Path, ActiveRun> active = new ConcurrentHashMap<>();

    /** @param intervention the saved edit {@code phi} runs with, if any: the runs' manifests record it */
    public AuditRuns(Phi phi, Optional<InterventionStamp> intervention, ModelWorker worker, ConfinedFolder runs, ConfinedFolder data,
                     int maxRunning) {
        this.model = ScoringModels.of(phi, intervention);
        this.worker = worker;
        this.runs = runs;
        this.data = data;
        this.maxRunning = maxRunning;
    }

    /** An audit ready to run and the dataset files it read (their checksums go into the manifest). */
    private record Prepared(Audit audit, List<Path> files) {
    }

    /**
     * Starts (or resumes) the run {@code run} of {@code benchmark} on the dataset {@code dataName};
     * returns once the run folder has been checked and taken, so a refusal is the answer.
     *
     * @param badRows stop (default) or skip rows with missing fields or wrong types
     * @param split   winobias only: dev, test (default) or all
     */
    public RunStatus start(String benchmark, String dataName, String run, String badRows, String split) {
        if (benchmark == null || BENCHMARKS.stream().noneMatch(b -> b.name().equals(benchmark))) {
            throw ApiException.badRequest("field 'benchmark' is " + (benchmark == null ? "missing" : "'" + benchmark + "'")
                    + "; it must be one of " + BENCHMARKS.stream().map(Benchmark::name).toList(), Map.of("field", "benchmark"));
        }
        Path dataPath = data.resolve("data", dataName);
        if (!Files.exists(dataPath)) {
            throw ApiException.badRequest("field 'data': there is no '" + dataName + "' in the data folder", Map.of("field", "data"));
        }
        Path folder = runs.resolve("run", run);
        if (Files.exists(folder) && !Files.isDirectory(folder)) {
            throw ApiException.badRequest("field 'run': '" + run + "' is a file, not a run folder", Map.of("field", "run"));
        }
        BadRowPolicy policy = switch (badRows == null ? "stop" : badRows) {
            case "stop" -> BadRowPolicy.STOP;
            case "skip" -> BadRowPolicy.SKIP;
            default -> throw ApiException.badRequest("field 'badRows' is '" + badRows + "'; it must be 'stop' or 'skip'",
                    Map.of("field", "badRows"));
        };
        List<String> splits = splits(benchmark, split);
        StringWriter notes = new StringWriter();
        QueuedScoringModel queued = new QueuedScoringModel(model, worker);
        Prepared prepared;
        try {
            prepared = prepare(benchmark, queued, dataPath, policy, splits, new PrintWriter(notes, true));
        } catch (DatasetException | UncheckedIOException e) {
            throw ApiException.badRequest("field 'data': " + e.getMessage(), Map.of("field", "data"));
        }
        DatasetDigest digest = DatasetDigest.of(dataPath, prepared.files());
        ActiveRun started = new ActiveRun(run, folder, prepared.audit(), queued, notes.toString());
        synchronized (active) {
            ActiveRun existing = active.get(folder);
            if (existing != null && existing.running()) {
                throw new ApiException(409, "the run '" + run + "' is already running", Map.of("field", "run"));
            }
            long running = active.values().stream().filter(ActiveRun::running).count();
            if (running >= maxRunning) {
                throw new BusyException(running + " audit runs are running, the most at once; wait for one or cancel it", 60);
            }
            active.put(folder, started);
        }
        Thread.ofVirtual().name("audit " + run).start(() -> started.execute(digest));
        started.awaitReady();
        if (started.failure instanceof RunRefusedException refused) {
            active.remove(folder, started);
            throw new ApiException(409, refused.getMessage(), Map.of("field", "run"));
        }
        return status(run);
    }

    /** Asks a running run to stop: the model work waiting is dropped, and the unfinished block is scored again on resume. */
    public RunStatus cancel(String run) {
        Path folder = runs.resolve("run", run);
        ActiveRun running = active.get(folder);
        if (running == null || !running.running()) {
            throw new ApiException(409, "the run '" + run + "' is not running here", Map.of("field", "run"));
        }
        running.queued.cancel();
        running.awaitEnd(Duration.ofSeconds(5));
        return status(run);
    }

    /** Every run in the runs folder, by name. */
    public List<RunStatus> list() {
        Map<Path, String> folders = new LinkedHashMap<>();
        if (Files.isDirectory(runs.root())) {
            try (Stream<Path> walk = Files.walk(runs.root(), DEPTH)) {
                walk.filter(p -> p.getFileName().toString().equals(RunFolder.MANIFEST))
                        .forEach(manifest -> runs.relativize(manifest.getParent()).ifPresent(name -> folders.put(manifest.getParent(), name)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + runs.root(), e);
            }
        }
        active.forEach((folder, run) -> folders.putIfAbsent(folder, run.name));
        List<RunStatus> statuses = new ArrayList<>();
        folders.forEach((folder, name) -> status(name, folder).ifPresent(statuses::add));
        statuses.sort(Comparator.comparing(RunStatus::run));
        return statuses;
    }

    /** The run a client names; 404 if the runs folder has no such run. */
    public RunStatus status(String run) {
        return status("run", run);
    }

    private RunStatus status(String field, String run) {
        return status(run, runs.resolve(field, run)).orElseThrow(() ->
                new ApiException(404, "there is no run '" + run + "' in the runs folder", Map.of("field", field)));
    }

    /** The folder of a run a client names, which must exist. */
    public Path folder(String run) {
        return folder("run", run);
    }

    /** The folder of a run a client names in {@code field}, which must exist; errors name the field. */
    public Path folder(String field, String run) {
        status(field, run);
        return runs.resolve(field, run);
    }

    /**
     * A run's status: live while it runs here; otherwise what its folder holds, with the end a run
     * started here came to (cancelled, failed) until the folder says it is finished.
     */
    private Optional<RunStatus> status(String name, Path folder) {
        ActiveRun run = active.get(folder);
        Optional<RunFolder.Contents> contents = RunFolder.inspect(folder);
        Manifest manifest = contents.map(RunFolder.Contents::manifest).orElse(null);
        String notes = run == null || run.notes.isEmpty() ? null : run.notes;
        if (run != null && (run.running() || manifest == null)) {
            String state = run.running() && run.queued.cancelled() ? "cancelling" : run.state.label();
            return Optional.of(new RunStatus(name, run.audit.benchmark(), model.id(), manifest == null ? null : dataName(manifest),
                    manifest == null ? null : manifest.dataset().path(), run.audit.settings(), run.done, run.total, state,
                    run.error(), notes));
        }
        return contents.map(c -> {
            boolean ended = run != null && !c.finished() && run.state != State.FINISHED;
            Integer total = manifest.items().isPresent() ? manifest.items().getAsInt() : c.finished() ? c.saved() : null;
            return new RunStatus(name, manifest.benchmark(), manifest.model(), dataName(manifest), manifest.dataset().path(),
                    manifest.settings(), c.saved(), total, c.finished() ? "finished" : ended ? run.state.label() : "incomplete",
                    ended ? run.error() : null, notes);
        });
    }

    private String dataName(Manifest manifest) {
        return data.relativize(Path.of(manifest.dataset().path())).orElse(null);
    }

    private static List<String> splits(String benchmark, String split) {
        if (!benchmark.equals("winobias")) {
            if (split != null) {
                throw ApiException.badRequest("field 'split' goes with winobias only", Map.of("field", "split"));
            }
            return List.of();
        }
        String chosen = split == null ? "test" : split;
        return switch (chosen) {
            case "dev", "test" -> List.of(chosen);
            case "all" -> List.of("dev", "test");
            default -> throw ApiException.badRequest("field 'split' is '" + split + "'; it must be 'dev', 'test' or 'all'",
                    Map.of("field", "split"));
        };
    }

    /**
     * The audit the command line's {@code phiscope audit BENCHMARK --data PATH} (or, for a
     * capability task, {@code phiscope eval TASK --data PATH}) runs, with its default batch size.
     */
    private static Prepared prepare(String benchmark, ScoringModel model, Path path, BadRowPolicy policy, List<String> splits,
                                    PrintWriter notes) {
        return switch (benchmark) {
            case "toxigen" -> prepared(SafeNlpReader.sentences(path), policy, notes,
                    rows -> new ToxiGenAudit(model, rows, ToxiGenAudit.DEFAULT_BATCH_SIZE));
            case "crows-pairs" -> prepared(CrowsPairsReader.read(path), policy, notes,
                    rows -> new CrowsPairsAudit(model, rows, CrowsPairsAudit.DEFAULT_BATCH_SIZE));
            case "bbq" -> prepared(BbqReader.read(path), policy, notes, rows -> new BbqAudit(model, rows, BbqAudit.DEFAULT_BATCH_SIZE));
            case "winobias" -> prepared(WinoBiasReader.read(path, splits), policy, notes,
                    rows -> new WinoBiasAudit(model, rows, splits, WinoBiasAudit.DEFAULT_BATCH_SIZE));
            default -> {
                CapabilityTask task = CapabilityTask.named(benchmark).orElseThrow(() -> new IllegalStateException("no audit for " + benchmark));
                yield prepared(CapabilityReader.read(task, path), policy, notes, rows -> new CapabilityEval(model, task.taskName(), rows,
                        CapabilityEval.DEFAULT_BATCH_SIZE, EvalSelection.all(EvalSelection.PUBLISHED)));
            }
        };
    }

    private static <T> Prepared prepared(Rows<T> rows, BadRowPolicy policy, PrintWriter notes, Function<List<T>, Audit> audit) {
        List<T> accepted = policy.apply(rows, notes, "send \"badRows\": \"skip\"");
        return new Prepared(audit.apply(accepted), rows.files());
    }

    /** Cancels every run and waits briefly for each: what they saved stays in their folders, to be resumed. */
    @Override
    public void close() {
        active.values().forEach(run -> run.queued.cancel());
        active.values().forEach(run -> run.awaitEnd(STOP_WAIT));
    }

    private enum State {
        RUNNING, FINISHED, CANCELLED, FAILED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A run started here: its audit on its own queued model, and how far it is as its folder tells its listener. */
    private final class ActiveRun {
        final String name;
        final Path folder;
        final Audit audit;
        final QueuedScoringModel queued;
        final String notes;
        final CountDownLatch ready = new CountDownLatch(1);
        final CountDownLatch ended = new CountDownLatch(1);
        volatile State state = State.RUNNING;
        volatile int done;
        volatile Integer total;
        volatile RuntimeException failure;

        ActiveRun(String name, Path folder, Audit audit, QueuedScoringModel queued, String notes) {
            this.name = name;
            this.folder = folder;
            this.audit = audit;
            this.queued = queued;
            this.notes = notes;
        }

        boolean running() {
            return state == State.RUNNING;
        }

        /** Why the run failed, for the client: what was wrong with its data or folder, or else a pointer to the log. */
        String error() {
            if (failure == null) {
                return null;
            }
            return failure instanceof RunRefusedException || failure instanceof DatasetException ? failure.getMessage() : App.INTERNAL_ERROR;
        }

        void execute(DatasetDigest digest) {
            try {
                RunFolder.run(folder, audit, model.id(), model.intervention(), digest, new PrintWriter(Writer.nullWriter()),
                        new PrintStream(OutputStream.nullOutputStream()), (saved, items) -> {
                            done = saved;
                            total = items;
                            ready.countDown();
                        }, BlockScorer.HERE);
                state = State.FINISHED;
            } catch (RuntimeException e) {
                if (queued.cancelled()) {
                    state = State.CANCELLED;
                } else {
                    failure = e;
                    state = State.FAILED;
                    if (!(e instanceof RunRefusedException)) {
                        log.warn("audit run {} failed", name, e);
                    }
                }
            } finally {
                ready.countDown();
                ended.countDown();
            }
        }

        void awaitReady() {
            await(ready, START_WAIT);
        }

        void awaitEnd(Duration limit) {
            await(ended, limit);
        }

        private static void await(CountDownLatch latch, Duration limit) {
            try {
                latch.await(limit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

package phiscope.web.audits;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import phiscope.toxicity.comparison.ComparedRun;
import phiscope.toxicity.comparison.Comparison;
import phiscope.toxicity.comparison.ComparisonReport;
import phiscope.toxicity.report.Report;
import phiscope.toxicity.report.ReportWriter;
import phiscope.toxicity.run.RunFolder;
import phiscope.toxicity.run.RunRefusedException;
import phiscope.web.server.ApiException;
import phiscope.web.server.Check;
import phiscope.web.server.ConfinedFolder;
import phiscope.web.server.RouteGroup;
import phiscope.web.server.StrictJson;

/**
 * The audits API: the runs in the runs folder and the datasets in the data folder, starting and
 * cancelling runs, a run's progress and results (summary, table and chart data), its files, and
 * the comparison of a baseline model's runs with edited models' ({@code phiscope report}).
 */
public final class AuditRoutes implements RouteGroup {

    record StartRequest(String benchmark, String data, String run, String badRows, String split) {
    }

    record RunRequest(String run) {
    }

    /** Runs to compare, by name in the runs folder: the baseline model's, and the edited models'. */
    record CompareRequest(List<String> baseline, List<String> edited) {
    }

    /** {@code comparison}: comparison.json's content; {@code report}: its table and chart as report.json has them. */
    record CompareResponse(JsonNode comparison, JsonNode report) {
    }

    record Listing(List<AuditRuns.RunStatus> runs, List<AuditRuns.Benchmark> benchmarks) {
    }

    /** A dataset a run may be started on: a file, or a folder (BBQ, WinoBias). */
    record Dataset(String path, boolean folder) {
    }

    /** A run and, once it has finished, what it concluded; {@code files} are the names {@code /api/audits/file} serves. */
    record RunDetail(AuditRuns.RunStatus status, JsonNode manifest, JsonNode summary, JsonNode report, List<String> files) {
    }

    private static final List<String> RUN_FILES = List.of(RunFolder.MANIFEST, RunFolder.RESULTS, ReportWriter.SUMMARY_JSON,
            ReportWriter.SUMMARY_CSV, ReportWriter.REPORT_JSON);
    private static final Pattern CHART = Pattern.compile("[A-Za-z0-9_.-]+\\.png");
    private static final int DATASET_DEPTH = 3;
    private static final int MAX_DATASETS = 2000;

    private final AuditRuns audits;
    private final ConfinedFolder data;

    public AuditRoutes(AuditRuns audits, ConfinedFolder data) {
        this.audits = audits;
        this.data = data;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/api/audits", ctx -> ctx.json(new Listing(audits.list(), AuditRuns.BENCHMARKS)));
        routes.get("/api/audits/datasets", ctx -> ctx.json(Map.of("datasets", datasets())));
        routes.post("/api/audits/start", this::start);
        routes.post("/api/audits/cancel", ctx -> ctx.json(audits.cancel(StrictJson.body(ctx, RunRequest.class).run())));
        routes.post("/api/audits/compare", this::compare);
        routes.get("/api/audits/run", this::run);
        routes.get("/api/audits/file", this::file);
    }

    private void start(Context ctx) {
        StartRequest request = StrictJson.body(ctx, StartRequest.class);
        ctx.status(202).json(audits.start(request.benchmark(), request.data(), request.run(), request.badRows(), request.split()));
    }

    private void compare(Context ctx) {
        CompareRequest request = StrictJson.body(ctx, CompareRequest.class);
        List<ComparedRun> baseline = comparedRuns("baseline", request.baseline());
        List<ComparedRun> edited = comparedRuns("edited", request.edited());
        Comparison comparison;
        try {
            comparison = Comparison.of(baseline, edited);
        } catch (RunRefusedException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        Report report = ComparisonReport.of(comparison);
        ctx.json(new CompareResponse(report.summary(), ReportWriter.viewerJson(report)));
    }

    /** The finished runs a request names in {@code field}: a 404 for a run that is not there, a 400 for one that cannot be compared. */
    private List<ComparedRun> comparedRuns(String field, List<String> names) {
        Check.required(field, names);
        if (names.isEmpty()) {
            throw ApiException.badRequest("field '" + field + "' is empty; name at least one run", Map.of("field", field));
        }
        List<ComparedRun> runs = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String item = field + "[" + i + "]";
            String name = Check.required(item, names.get(i));
            Path folder = audits.folder(item, name);
            try {
                runs.add(ComparedRun.read(name, folder));
            } catch (RunRefusedException e) {
                throw ApiException.badRequest("field '" + item + "': the run " + e.getMessage(), Map.of("field", item));
            }
        }
        return runs;
    }

    private void run(Context ctx) {
        String run = Check.required("run", ctx.queryParam("run"));
        AuditRuns.RunStatus status = audits.status(run);
        Path folder = audits.folder(run);
        List<String> files = new ArrayList<>();
        for (String name : RUN_FILES) {
            if (Files.isRegularFile(folder.resolve(name))) {
                files.add(name);
            }
        }
        try (Stream<Path> entries = Files.list(folder)) {
            entries.map(p -> p.getFileName().toString()).filter(name -> CHART.matcher(name).matches()).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
        boolean finished = status.state().equals("finished");
        ctx.json(new RunDetail(status, readJson(folder.resolve(RunFolder.MANIFEST)),
                finished ? readJson(folder.resolve(ReportWriter.SUMMARY_JSON)) : null,
                finished ? readJson(folder.resolve(ReportWriter.REPORT_JSON)) : null, files));
    }

    private void file(Context ctx) {
        String run = Check.required("run", ctx.queryParam("run"));
        String name = Check.required("file", ctx.queryParam("file"));
        if (!RUN_FILES.contains(name) && !CHART.matcher(name).matches()) {
            throw ApiException.badRequest("field 'file' is '" + name + "'; a run serves " + String.join(", ", RUN_FILES)
                    + " and its .png charts", Map.of("field", "file"));
        }
        Path file = audits.folder(run).resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new ApiException(404, "the run '" + run + "' has no " + name + " (yet)", Map.of("field", "file"));
        }
        String type = name.endsWith(".png") ? "image/png" : name.endsWith(".csv") ? "text/csv; charset=utf-8"
                : name.endsWith(".jsonl") ? "application/x-ndjson" : "application/json";
        try {
            // Streamed: a results.jsonl of a large benchmark runs to tens of megabytes.
            ctx.contentType(type).result(Files.newInputStream(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private List<Dataset> datasets() {
        List<Dataset> datasets = new ArrayList<>();
        if (!Files.isDirectory(data.root())) {
            return datasets;
        }
        try (Stream<Path> walk = Files.walk(data.root(), DATASET_DEPTH)) {
            walk.sorted().forEach(p -> data.relativize(p)
                    .filter(name -> !name.startsWith(".") && !name.contains("/.") && datasets.size() < MAX_DATASETS)
                    .ifPresent(name -> datasets.add(new Dataset(name, Files.isDirectory(p)))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + data.root(), e);
        }
        return datasets;
    }

    /** A JSON file of the run, or null if it is not there (a run from before report.json). */
    private static JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return StrictJson.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}

package phiscope.scale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import phiscope.engine.cli.ModelOptions;
import phiscope.engine.model.WeightOptions;
import phiscope.probes.cli.InterventionOption;
import phiscope.probes.intervention.InterventionStamp;
import phiscope.toxicity.ReproducibleJson;
import phiscope.toxicity.cli.RunRequest;
import phiscope.toxicity.cli.ToxicityCommands;
import phiscope.toxicity.run.Audit;
import phiscope.toxicity.run.Block;
import phiscope.toxicity.scoring.ScoringModel;
import phiscope.toxicity.scoring.ScoringModels;
import picocli.CommandLine;

/**
 * The executor's half of a Spark run. Each executor JVM loads the model once and builds each run's
 * audit once (by running the driver's command with a launcher that keeps the audit), then scores
 * every block it is given with them; tasks of one JVM take turns on the model, whose engine already
 * uses --threads threads.
 */
final class ExecutorSide {

    /** The same model folder and loading options: one model per JVM. */
    private record ModelKey(Path directory, int threads, WeightOptions weights, Optional<Path> intervention) {
    }

    private static final Map<ModelKey, ScoringModel> MODELS = new ConcurrentHashMap<>();
    private static final Map<ScoringJob, Audit> AUDITS = new ConcurrentHashMap<>();

    private ExecutorSide() {
    }

    /** Scores the partition's block; the results are the single-machine run's, as text. */
    static BlockResult score(ScoringJob job, Block block) {
        Audit audit = AUDITS.computeIfAbsent(job, ExecutorSide::build);
        List<ObjectNode> results;
        synchronized (audit) {
            results = audit.score(block.from(), block.to());
        }
        List<String> lines = new ArrayList<>(results.size());
        try {
            for (ObjectNode result : results) lines.add(ReproducibleJson.MAPPER.writeValueAsString(result));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        return new BlockResult(block, lines);
    }

    /** Runs the driver's command here, keeping the audit it builds instead of running it. */
    private static Audit build(ScoringJob job) {
        RunRequest[] built = new RunRequest[1];
        CommandLine cli = new CommandLine(new CommandRoot());
        ToxicityCommands.all(ExecutorSide::model, request -> built[0] = request).forEach(cli::addSubcommand);
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new StringWriter(), true));
        // picocli prints what its handler throws; a WorkerProblem must reach the driver as itself.
        WorkerProblem[] problem = new WorkerProblem[1];
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (!(e instanceof WorkerProblem p)) throw e;
            problem[0] = p;
            return 1;
        });
        int exit = cli.execute(job.command().toArray(String[]::new));
        if (problem[0] != null) throw problem[0];
        if (exit != 0 || built[0] == null) {
            throw new WorkerProblem("on worker " + host() + ", `phiscope " + String.join(" ", job.command()) + "` did not build its audit: "
                    + err.toString().strip());
        }
        RunRequest request = built[0];
        if (!request.dataset().sha256().equals(job.datasetSha256())) {
            throw new WorkerProblem("the dataset " + request.dataset().path() + " on worker " + host() + " is not the driver's (sha256 "
                    + request.dataset().sha256() + ", not " + job.datasetSha256() + "); every worker must read the same files at the same path");
        }
        if (!request.modelId().equals(job.modelId())) {
            throw new WorkerProblem("the model on worker " + host() + " is \"" + request.modelId() + "\", not the driver's \"" + job.modelId()
                    + "\"; every worker must read the same weights at the same path");
        }
        String intervention = request.intervention().map(InterventionStamp::sha256).orElse("");
        if (!intervention.equals(job.intervention())) {
            String here = request.intervention().map(i -> "--intervention " + i.file() + " (sha256 " + i.sha256() + ")").orElse("no intervention");
            String driver = job.intervention().isEmpty() ? "none" : "sha256 " + job.intervention();
            throw new WorkerProblem("worker " + host() + " runs the model with " + here + ", the driver with " + driver
                    + "; every worker must read the same intervention files at the same path");
        }
        return request.audit();
    }

    /** The JVM's model for these options, loaded on first use after checking the folder and the memory it needs. */
    private static ScoringModel model(ModelOptions options, InterventionOption intervention) {
        ModelKey key = new ModelKey(options.directory().toAbsolutePath().normalize(), options.threads(), options.weightOptions(),
                intervention.file().map(p -> p.toAbsolutePath().normalize()));
        return MODELS.computeIfAbsent(key, k -> {
            if (!Files.isDirectory(k.directory())) {
                throw new WorkerProblem("the model folder " + k.directory() + " does not exist on worker " + host()
                        + "; every worker must read the weights at the same path (shared storage, or a copy on each)");
            }
            WorkerMemory.requireRoomFor(k.directory(), k.weights(), host());
            return ScoringModels.open(options, intervention);
        });
    }

    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "(unknown host)";
        }
    }
}

package phiscope.scale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SimpleFutureAction;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import phiscope.toxicity.ReproducibleJson;
import phiscope.toxicity.run.Audit;
import phiscope.toxicity.run.Block;
import phiscope.toxicity.run.BlockScorer;
import phiscope.toxicity.run.RunRefusedException;
import scala.Function0;
import scala.Function1;
import scala.Function2;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.BoxedUnit;
import scala.util.Try;

/**
 * The driver's half of a Spark run: one partition per missing scoring block (so every block is
 * the single-machine run's batch), each handed to the run folder the moment its task succeeds.
 * Spark retries the tasks of a lost executor; what no retry fixes is reported as the worker's
 * problem, and a master or cluster that cannot run anything is an error within a bounded wait.
 */
final class SparkScorer implements BlockScorer {

    /** Flags the engine needs in every JVM that runs it; Spark adds its own --add-opens. */
    static final String ENGINE_FLAGS = "--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED "
            + "--sun-misc-unsafe-memory-access=allow";
    /** How long to wait for the master's answer, and for an executor to join when none is alive. */
    static final String EXECUTOR_WAIT = "spark.phiscope.executorWaitSeconds";
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /** The jar executors load phiscope from, beside the scale module's own jar: phiscope without Spark. */
    static final String APPLICATION_JAR = "phiscope-spark.jar";
    private static final Pattern WORKER_PROBLEM = Pattern.compile(Pattern.quote(WorkerProblem.class.getName()) + ": ([^\\n]*)");

    private final String master;
    private final ScoringJob job;

    SparkScorer(String master, ScoringJob job) {
        this.master = master;
        this.job = job;
    }

    @Override
    public Optional<ObjectNode> manifestEntry(List<Block> blocks) {
        return Optional.of(ReproducibleJson.object().put("on", "spark").put("master", master).put("partitions", blocks.size()));
    }

    @Override
    public void score(Audit audit, List<Block> blocks, Sink sink) {
        if (blocks.isEmpty()) return;
        requireReachable(master);
        SparkConf conf = configuration(audit);
        long waitMillis = TimeUnit.SECONDS.toMillis(conf.getLong(EXECUTOR_WAIT, 120));
        try (JavaSparkContext spark = new JavaSparkContext(conf)) {
            BlockingQueue<BlockResult> finished = new LinkedBlockingQueue<>();
            ScoringJob scoringJob = job; // the task captures the job alone, not this scorer
            Function1<Iterator<Block>, BlockResult> task = (Function1<Iterator<Block>, BlockResult> & Serializable)
                    partition -> ExecutorSide.score(scoringJob, partition.next());
            Function2<Object, BlockResult, BoxedUnit> arrived = (partition, result) -> {
                finished.add(result);
                return BoxedUnit.UNIT;
            };
            List<Object> partitions = new ArrayList<>();
            for (int p = 0; p < blocks.size(); p++) partitions.add(p);
            SimpleFutureAction<BoxedUnit> action = spark.sc().submitJob(spark.parallelize(blocks, blocks.size()).rdd(), task,
                    CollectionConverters.asScala(partitions).toSeq(), arrived, (Function0<BoxedUnit>) () -> BoxedUnit.UNIT);
            int received = 0;
            long lastExecutorSeen = System.currentTimeMillis();
            while (received < blocks.size()) {
                BlockResult result = finished.poll(1, TimeUnit.SECONDS);
                if (result != null) {
                    sink.finished(result.block(), parse(result));
                    received++;
                    continue;
                }
                if (action.isCompleted()) failIfFailed(action.value().get());
                int executors = executorsAlive(spark);
                if (executors > 0) lastExecutorSeen = System.currentTimeMillis();
                else if (System.currentTimeMillis() - lastExecutorSeen > waitMillis) {
                    action.cancel();
                    throw new RunRefusedException("no Spark executor has been alive at " + master + " for "
                            + waitMillis / 1000 + " s: the cluster has no free worker with the cores and memory asked for "
                            + "(spark.executor.cores, spark.executor.memory); see the master's web UI. Blocks finished so far are saved.");
                }
                sink.note(isLocal() ? " on " + master : " on " + executors + (executors == 1 ? " executor" : " executors"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Spark", e);
        }
    }

    private SparkConf configuration(Audit audit) {
        SparkConf conf = new SparkConf().setMaster(master).setAppName("phiscope " + audit.benchmark());
        conf.set("spark.executor.extraJavaOptions", (conf.get("spark.executor.extraJavaOptions", "") + " " + ENGINE_FLAGS).strip());
        if (!isLocal() && !conf.contains("spark.jars")) applicationJar().ifPresent(jar -> conf.set("spark.jars", jar.toString()));
        return conf;
    }

    private boolean isLocal() {
        return master.startsWith("local");
    }

    /** The phiscope jar for executors, when this runs from the scale module's build (spark-submit names its own). */
    private static Optional<Path> applicationJar() {
        try {
            Path here = Path.of(SparkScorer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path jar = here.resolveSibling(APPLICATION_JAR);
            return Files.isRegularFile(jar) ? Optional.of(jar) : Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /** Executors alive, the driver not counted (in local mode the driver is the one executor). */
    private int executorsAlive(JavaSparkContext spark) {
        int all = spark.sc().statusTracker().getExecutorInfos().length;
        return isLocal() ? all : all - 1;
    }

    private void failIfFailed(Try<BoxedUnit> outcome) {
        if (outcome.isSuccess()) return;
        Throwable failure = outcome.failed().get();
        String message = String.valueOf(failure.getMessage());
        Matcher problem = WORKER_PROBLEM.matcher(message);
        if (problem.find()) throw new RunRefusedException("on Spark (" + master + "): " + problem.group(1));
        throw new IllegalStateException("the Spark job failed (" + master + "); blocks finished so far are saved, "
                + "run the same command again to continue: " + message.lines().findFirst().orElse(""), failure);
    }

    private static List<ObjectNode> parse(BlockResult result) {
        List<ObjectNode> nodes = new ArrayList<>(result.results().size());
        try {
            for (String line : result.results()) nodes.add((ObjectNode) ReproducibleJson.MAPPER.readTree(line));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("an executor sent a result that is not JSON", e);
        }
        return nodes;
    }

    /** A spark:// master that nothing answers at is an error now, not a driver waiting for it forever. */
    static void requireReachable(String master) {
        if (!master.startsWith("spark://")) return;
        List<String> failures = new ArrayList<>();
        for (String address : master.substring("spark://".length()).split(",")) {
            int colon = address.lastIndexOf(':');
            String host = colon < 0 ? address : address.substring(0, colon);
            int port = colon < 0 ? 7077 : Integer.parseInt(address.substring(colon + 1));
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
                return;
            } catch (IOException e) {
                failures.add(address + ": " + e.getMessage());
            }
        }
        throw new RunRefusedException("cannot reach the Spark master " + master + " (" + String.join("; ", failures)
                + "; waited at most " + CONNECT_TIMEOUT_MILLIS / 1000 + " s each): is it running, and is this the address "
                + "its log prints after \"Starting Spark master at\"?");
    }
}

package phiscope.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static phiscope.scale.Audits.assertSameResults;
import static phiscope.scale.Audits.phiscope;
import static phiscope.scale.Audits.with;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.toxicity.ReproducibleJson;

/**
 * A real standalone cluster on loopback: a Master and two Workers, each its own JVM started from
 * Spark's jars, the audit submitted to it from this JVM (the driver), one Worker killed with its
 * executor (SIGKILL) while the run is under way; the run must still end with the single-machine
 * run's files. Run with {@code ./mvnw -Pcluster verify -pl scale -am}.
 */
class StandaloneClusterIT {

    private static final String LOOPBACK = "127.0.0.1";

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    private final List<Process> daemons = new ArrayList<>();

    @AfterEach
    void stopCluster() {
        for (Process daemon : daemons) {
            daemon.descendants().forEach(ProcessHandle::destroyForcibly);
            daemon.destroyForcibly();
        }
    }

    @Test
    void toxiGenSurvivesAWorkerKilledMidRunWithTheSingleMachineFiles() throws Exception {
        Path data = Audits.toxiGenSlice(dir, 640);
        String[] audit = {"audit", "toxigen", "--data", data.toString(), "--batch-size", "16"};
        Path single = dir.resolve("single");
        phiscope(with(audit, "--out", single.toString()));

        Path sparkHome = sparkHome();
        int masterPort = freePort();
        start(sparkHome, "master", "org.apache.spark.deploy.master.Master", "--host", LOOPBACK, "--port", "" + masterPort,
                "--webui-port", "" + freePort());
        awaitListening(masterPort);
        String master = "spark://" + LOOPBACK + ":" + masterPort;
        Process doomed = start(sparkHome, "worker-1", "org.apache.spark.deploy.worker.Worker", "--host", LOOPBACK,
                "--port", "" + freePort(), "--webui-port", "" + freePort(), "--cores", "1", "--memory", "2g", master);
        start(sparkHome, "worker-2", "org.apache.spark.deploy.worker.Worker", "--host", LOOPBACK,
                "--port", "" + freePort(), "--webui-port", "" + freePort(), "--cores", "1", "--memory", "2g", master);

        System.setProperty("spark.driver.host", LOOPBACK);
        Path onCluster = dir.resolve("cluster");
        CompletableFuture<Void> run = CompletableFuture.runAsync(() -> phiscope(with(audit, "--out", onCluster.toString(), "--spark", master)));

        // Kill once the run is under way on both workers: some blocks saved, most still to come.
        Path results = onCluster.resolve("results.jsonl");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (lines(results) < 64 || doomed.descendants().findAny().isEmpty()) {
            if (run.isDone()) {
                run.join(); // a failed run throws here, with its cause
                throw new AssertionError("the run ended before a worker could be killed");
            }
            assertTrue(System.nanoTime() < deadline, "the cluster scored nothing within 5 minutes; see " + dir);
            Thread.sleep(100);
        }
        long savedAtKill = lines(results);
        doomed.descendants().forEach(ProcessHandle::destroyForcibly); // its executor JVM
        doomed.destroyForcibly();
        assertTrue(savedAtKill < 640, "killed mid-run, with " + savedAtKill + " of 640 saved");

        run.get(10, TimeUnit.MINUTES);
        assertSameResults(single, onCluster);
        var session = ReproducibleJson.MAPPER.readTree(onCluster.resolve("manifest.json").toFile()).get("distributed").get(0);
        assertEquals(master, session.get("master").asText());
        assertEquals(40, session.get("partitions").intValue());
    }

    /**
     * A SPARK_HOME as a Spark distribution lays it out: jars/ holds Spark and the libraries (the
     * test class path's jars), phiscope itself comes to the executors as the application jar.
     */
    private Path sparkHome() throws IOException {
        Path jars = Files.createDirectories(dir.resolve("spark-home/jars"));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path jar = Path.of(entry);
            if (entry.endsWith(".jar") && !jar.getFileName().toString().startsWith("phiscope-")) {
                Path link = jars.resolve(jar.getFileName());
                if (!Files.exists(link)) Files.createSymbolicLink(link, jar.toAbsolutePath());
            }
        }
        return jars.getParent();
    }

    private Process start(Path sparkHome, String name, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-Xmx512m",
                "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED", "-cp", sparkHome.resolve("jars") + "/*", mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        builder.environment().put("SPARK_HOME", sparkHome.toString());
        builder.environment().put("SPARK_LOCAL_IP", LOOPBACK);
        builder.environment().put("SPARK_SCALA_VERSION", "2.13"); // a distribution's launcher would find it in its own layout
        builder.environment().put("SPARK_WORKER_DIR", Files.createDirectories(dir.resolve(name + "-work")).toString());
        Process process = builder.start();
        daemons.add(process);
        return process;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void awaitListening(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket(LOOPBACK, port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError("the Spark master did not listen on port " + port + " within 60 s; see " + dir.resolve("master.log"));
    }

    private static long lines(Path file) throws IOException {
        if (!Files.exists(file)) return 0;
        byte[] bytes = Files.readAllBytes(file);
        long count = 0;
        for (byte b : bytes) if (b == '\n') count++;
        return count;
    }
}

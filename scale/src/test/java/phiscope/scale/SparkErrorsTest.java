package phiscope.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.model.WeightOptions;
import phiscope.engine.tensor.WeightFormat;
import phiscope.toxicity.cli.ToxicityCommands;
import picocli.CommandLine;

/** What the user is told when the cluster cannot run the audit. */
class SparkErrorsTest {

    @TempDir
    Path dir;

    @Test
    void aMasterNothingListensAtIsAnErrorWithinSeconds() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path data = Audits.toxiGenSlice(dir, 20);
        CommandLine cli = new CommandLine(new CommandRoot());
        ToxicityCommands.all().forEach(cli::addSubcommand);
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new StringWriter(), true));
        long start = System.nanoTime();
        int exit = cli.execute("audit", "toxigen", "--data", data.toString(), "--out", dir.resolve("run").toString(),
                "--spark", "spark://127.0.0.1:" + port);
        assertEquals(2, exit, err.toString());
        assertTrue(err.toString().contains("cannot reach the Spark master spark://127.0.0.1:" + port), err.toString());
        assertTrue(System.nanoTime() - start < 30e9, "refused within seconds, not after Spark's own retries");
    }

    @Test
    void aWorkerWithTooLittleMemoryForTheWeightsIsRefusedWithWhatTheyNeed() {
        WeightOptions copied = WeightOptions.DEFAULT;
        WorkerProblem problem = assertThrows(WorkerProblem.class, () -> WorkerMemory.check(5_560_000_000L, 4_000_000_000L, copied, "w1"));
        assertTrue(problem.getMessage().contains("worker w1 has 4.0 GB of memory available, but the weights need 5.6 GB (--weights memory)"),
                problem.getMessage());
        WorkerMemory.check(5_560_000_000L, 6_000_000_000L, copied, "w1");
    }

    @Test
    void mappedWeightsNeedNoAnonymousMemoryAndQ80AboutHalf() {
        assertEquals(0, WorkerMemory.neededBytes(5_560_000_000L, new WeightOptions(WeightOptions.Storage.MMAP, Optional.empty())));
        assertEquals(2_953_750_000L, WorkerMemory.neededBytes(5_560_000_000L,
                new WeightOptions(WeightOptions.Storage.MEMORY, Optional.of(WeightFormat.Q8_0))));
    }
}

package phiscope.toxicity.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import org.junit.jupiter.api.io.TempDir;
import phiscope.toxicity.ReproducibleJson;

/**
 * The promise of run folders, tested the hard way: a run in another JVM is killed with SIGKILL
 * while it writes results, started again with the same arguments, and must end with exactly the
 * summary of a run that was never interrupted.
 */
class ResumeAfterKillTest {

    private static final int SENTENCES = 300;
    private static final int BATCH = 5;

    @TempDir
    Path dir;

    private Path dataset() throws IOException {
        ArrayNode rows = ReproducibleJson.MAPPER.createArrayNode();
        String[] groups = {"asian", "black", "jewish", "women"};
        for (int i = 0; i < SENTENCES; i++) {
            boolean hate = i % 3 != 0;
            var row = rows.addObject()
                    .put("id", i)
                    .put("text", "people " + (hate ? "are dreadful" : "are fine") + " x".repeat(i % 9) + " " + "w".repeat(1 + i % 13))
                    .put("toxicity_score", 1 + (i * 7) % 5)
                    .put("label", hate ? "hate" : "neutral");
            row.putArray("target_groups").add(groups[i % groups.length]);
        }
        Path file = dir.resolve("toxiGen.json");
        ReproducibleJson.MAPPER.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), rows);
        return file;
    }

    private static String[] toxigen(Path data, Path out) {
        return new String[] {"toxigen", "--data", data.toString(), "--out", out.toString(), "--batch-size", String.valueOf(BATCH)};
    }

    @Test
    void aRunKilledMidwayResumesToTheUninterruptedNumbers() throws Exception {
        Path data = dataset();
        killResumeAndCompare(FakeAuditMain.class, List.of("-Dfake.delayMillis=60"), FakeAuditMain.commandLine(0), out -> toxigen(data, out));
    }

    /** A multiple-choice file of {@value #SENTENCES} questions in the mc-jsonl layout. */
    private Path questions() throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < SENTENCES; i++) {
            var row = ReproducibleJson.object().put("context", "Question: which of" + " x".repeat(i % 7) + " is it?\nAnswer:")
                    .put("label", i % 3);
            row.putArray("choices").add("w".repeat(1 + i % 5)).add("the other" + " y".repeat(i % 4)).add("none");
            lines.append(ReproducibleJson.MAPPER.writeValueAsString(row)).append('\n');
        }
        return Files.writeString(dir.resolve("questions.jsonl"), lines.toString());
    }

    private static String[] eval(Path data, Path out) {
        return new String[] {"mine", "--format", "mc-jsonl", "--data", data.toString(), "--out", out.toString(),
                "--batch-size", String.valueOf(BATCH)};
    }

    @Test
    void anEvalKilledMidwayResumesToTheUninterruptedNumbers() throws Exception {
        Path data = questions();
        killResumeAndCompare(FakeEvalMain.class, List.of("-Dfake.delayMillis=60"), FakeEvalMain.commandLine(0), out -> eval(data, out));
    }

    @Test
    void aRealModelEvalKilledMidwayResumesToTheUninterruptedNumbers() throws Exception {
        Path data = questions();
        killResumeAndCompare(EngineEvalMain.class, List.of(), new CommandLine(new EvalCommand()), out -> eval(data, out));
    }

    /**
     * The same with the real engine on the bundled model: the resumed half is computed in a new
     * JVM (cold JIT) and in batches that start where the kill left off, and must still give the
     * very same bits.
     */
    @Test
    void aRealModelRunKilledMidwayResumesToTheUninterruptedNumbers() throws Exception {
        Path data = dataset();
        killResumeAndCompare(EngineAuditMain.class, List.of(), new CommandLine(new AuditCommand()), out -> toxigen(data, out));
    }

    private void killResumeAndCompare(Class<?> main, List<String> jvmOptions, CommandLine inProcess,
                                      Function<Path, String[]> arguments) throws Exception {
        Path killed = dir.resolve("killed");
        Path results = killed.resolve("results.jsonl");

        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(arguments.apply(killed)));
        Process child = new ProcessBuilder(command)
                .redirectOutput(dir.resolve("child.out").toFile())
                .redirectError(dir.resolve("child.err").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (lines(results) < 40) {
            if (!child.isAlive()) fail("the child ended early: " + Files.readString(dir.resolve("child.err")));
            if (System.nanoTime() > deadline) fail("no results after 60 s");
            Thread.sleep(10);
        }
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        long linesAtKill = lines(results);
        assertTrue(linesAtKill < SENTENCES, "killed before the end: " + linesAtKill + " lines");
        assertTrue(Files.notExists(killed.resolve("summary.json")));

        assertEquals(0, inProcess.execute(arguments.apply(killed)));

        Path whole = dir.resolve("whole");
        assertEquals(0, inProcess.execute(arguments.apply(whole)));
        assertArrayEquals(Files.readAllBytes(whole.resolve("summary.json")), Files.readAllBytes(killed.resolve("summary.json")));
        assertArrayEquals(Files.readAllBytes(whole.resolve("results.jsonl")), Files.readAllBytes(results));
        assertEquals(SENTENCES, Files.readAllLines(results).size());
    }

    /** Complete lines so far (the last one may still be being written). */
    private static long lines(Path file) throws IOException {
        if (!Files.exists(file)) return 0;
        byte[] bytes = Files.readAllBytes(file);
        long count = 0;
        for (byte b : bytes) if (b == '\n') count++;
        return count;
    }
}

package phiscope.benchmarks.sidebyside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import phiscope.benchmarks.sidebyside.SideBySide.Cell;
import phiscope.benchmarks.sidebyside.SideBySide.Format;
import phiscope.benchmarks.sidebyside.SideBySide.Pair;
import phiscope.benchmarks.sidebyside.SideBySide.PhiscopeRun;
import phiscope.benchmarks.sidebyside.SideBySide.Speeds;

/** The parsing of both engines' JSON and the table's arithmetic; the runs themselves need llama.cpp and are done by hand. */
class SideBySideTest {

    /** The fields side-by-side reads from llama-bench b4747's {@code -o json}, one test each. */
    private static String llamaTest(String type, int prompt, int gen, double... samples) {
        return """
                {"model_type": "%s", "n_threads": 2, "n_prompt": %d, "n_gen": %d, "avg_ts": 0, "samples_ts": %s}"""
                .formatted(type, prompt, gen, java.util.Arrays.toString(samples));
    }

    @Test
    void llamaBenchGivesEachTestsMedianSample() throws IOException {
        String json = "[" + String.join(",", llamaTest("phi2 3B Q8_0", 64, 0, 40, 44, 41), llamaTest("phi2 3B Q8_0", 512, 0, 39, 38),
                llamaTest("phi2 3B Q8_0", 0, 128, 12.5, 12.0, 13.0)) + "]";
        assertEquals(new Speeds(41, 38.5, 12.5), SideBySide.parseLlamaBench(json, Format.Q8_0, Path.of("q8.gguf")));
    }

    @Test
    void aFileOfAnotherFormatIsNamed() {
        String json = "[" + llamaTest("phi2 3B F16", 64, 0, 40) + "]";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SideBySide.parseLlamaBench(json, Format.Q4_0, Path.of("x.gguf")));
        assertEquals("--gguf Q4_0=x.gguf: llama-bench reads it as 'phi2 3B F16', not Q4_0", e.getMessage());
    }

    @Test
    void phiscopeMustRunTheFormatAskedFor() throws IOException {
        String json = """
                {"format": "q4_0", "prompt64_tokens_per_s": 42.0, "prompt512_tokens_per_s": 40.0, "decode_tokens_per_s": 16.3,
                 "fma_peak_gflops": 447.0, "bandwidth_gb_per_s": 28.5}""";
        assertEquals(new PhiscopeRun(new Speeds(42, 40, 16.3), 447, 28.5), SideBySide.parsePhiscopeBench(json, Format.Q4_0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SideBySide.parsePhiscopeBench(
                json.replace("q4_0", "bf16"), Format.F16));
        assertEquals("phiscope bench ran bf16, not f16: --model must be a float16 checkpoint", e.getMessage());
    }

    @Test
    void theTableHasMediansPerEngineAndTheMedianOfEachRoundsRatio() {
        Map<Cell, List<Pair>> pairs = new LinkedHashMap<>();
        // Three rounds; the machine is twice as fast in the second, for both engines alike.
        pairs.put(new Cell(Format.F16, 2), List.of(
                new Pair(new Speeds(50, 40, 5), new PhiscopeRun(new Speeds(45, 60, 5.5), 440, 30)),
                new Pair(new Speeds(100, 80, 10), new PhiscopeRun(new Speeds(90, 120, 11), 450, 50)),
                new Pair(new Speeds(52, 44, 6), new PhiscopeRun(new Speeds(52, 55, 5.4), 445, 28))));
        String table = SideBySide.table(pairs, 3);
        String row = table.lines().filter(l -> l.startsWith("| F16, 2 |")).findFirst().orElseThrow();
        // pp64 ratios 0.9, 0.9, 1.0 -> 0.90; pp512 1.5, 1.5, 1.25 -> 1.50; decode 1.1, 1.1, 0.9 -> 1.10.
        assertEquals("| F16, 2 | 52.0 / 44.0 / 6.00 | 52.0 / 60.0 / 5.50 | **0.90** / 1.50 / 1.10 |", row);
        assertEquals("phiscope bench's probes in these runs: FMA peak 440–450 GFLOP/s, read bandwidth 28.0–50.0 GB/s "
                + "(each at the run's thread count)", table.lines().toList().getLast());

        Map<Cell, List<Pair>> close = Map.of(new Cell(Format.Q8_0, 1),
                List.of(new Pair(new Speeds(10, 10, 10), new PhiscopeRun(new Speeds(9.96, 9.94, 10), 110, 20))));
        assertEquals("| Q8_0, 1 | 10.0 / 10.0 / 10.0 | 9.96 / 9.94 / 10.0 | 1.00 / **0.99** / 1.00 |",
                SideBySide.table(close, 1).lines().filter(l -> l.startsWith("| Q8_0")).findFirst().orElseThrow(),
                "0.996 reads 1.00, so it is not bold");
    }

    @Test
    void speedsHaveThreeSignificantFigures() {
        assertEquals("5.60", SideBySide.speed(5.6));
        assertEquals("45.4", SideBySide.speed(45.44));
        assertEquals("128", SideBySide.speed(127.6));
    }
}

package phiscope.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import phiscope.engine.Fixtures;
import phiscope.engine.bench.EngineBenchmark;
import picocli.CommandLine;

/** {@code phiscope bench} on the bundled model: the documented JSON, the table, and refusals. */
class BenchCommandTest {

    private static final String MODEL = Fixtures.NANOPHI.toString();

    private static String bench(String... args) {
        CommandLine cli = new CommandLine(new BenchCommand());
        RuntimeException[] failure = new RuntimeException[1];
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            failure[0] = e instanceof RuntimeException r ? r : new IllegalStateException(e);
            return 1;
        });
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            cli.execute(args);
        } finally {
            System.setOut(original);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void jsonHasEveryDocumentedFieldWithMeasuredValues() throws Exception {
        JsonNode json = new ObjectMapper().readTree(bench("--model", MODEL, "--prompt", "64,512", "--decode", "16",
                "--score", "40", "--repetitions", "2", "--hook-overhead", "--json"));
        for (String field : new String[] {"load_seconds", "prompt64_tokens_per_s", "prompt512_tokens_per_s",
            "decode_tokens_per_s", "score_tokens_per_s", "peak_rss_bytes", "bandwidth_gb_per_s", "weights_read_gb_per_s",
            "fma_peak_gflops"}) {
            assertTrue(json.has(field), "missing " + field + " in " + json);
            assertTrue(json.get(field).asDouble() > 0, field + " = " + json.get(field));
        }
        assertEquals("f16", json.get("format").asText());
        assertEquals("memory", json.get("weights").asText());
        // nanophi-py's matrices: 4 blocks of 4 x 128^2 + 2 x 128 x 512 float16 weights, and the tied 51200 x 128 unembedding.
        long blocks = 4L * (4 * 128 * 128 + 2 * 128 * 512);
        long unembedding = 51200L * 128;
        assertEquals(2.0 * blocks, json.get("block_flops_per_token").asDouble());
        assertEquals(2.0 * unembedding, json.get("unembedding_flops").asDouble());
        assertEquals(2 * (blocks + unembedding), json.get("streamed_bytes_per_token").asLong());
        double prompt = json.get("prompt512_tokens_per_s").asDouble();
        assertEquals(prompt * (2.0 * blocks + 2.0 * unembedding / 512) / (json.get("fma_peak_gflops").asDouble() * 1e9),
                json.get("prompt512_fraction_of_fma_peak").asDouble(), 1e-9);
        double streamed = json.get("decode_tokens_per_s").asDouble() * json.get("streamed_bytes_per_token").asDouble();
        assertEquals(streamed / (json.get("weights_read_gb_per_s").asDouble() * 1e9),
                json.get("decode_fraction_of_weights_read").asDouble(), 1e-9);
        assertEquals(streamed / (json.get("bandwidth_gb_per_s").asDouble() * 1e9),
                json.get("decode_fraction_of_bandwidth").asDouble(), 1e-9);
        assertTrue(json.get("prompt512_tokens_per_s_min").asDouble() <= prompt);
        assertTrue(prompt <= json.get("prompt512_tokens_per_s_max").asDouble());
        assertTrue(json.get("idle_hooks_time_ratio").asDouble() > 0);
        assertTrue(json.get("resid_post_capture_time_ratio").asDouble() > 0);
    }

    @Test
    void theTableGivesEachSpeedAsAFractionOfItsBound() {
        String table = bench("--model", MODEL, "--prompt", "16", "--decode", "8", "--repetitions", "1", "--quantize", "q8_0");
        assertTrue(table.contains("| prompt 16 |"), table);
        assertTrue(table.contains("of FMA peak"), table);
        assertTrue(table.contains("| decode 8 |"), table);
        assertTrue(table.contains("of bandwidth"), table);
        assertTrue(table.contains("of reading the weights"), table);
        assertTrue(table.contains("reading the weights alone"), table);
        assertTrue(table.contains("q8_0 weights"), table);
    }

    @Test
    void promptsLongerThanTheContextAndQuantizedMappedWeightsAreRefused() {
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> bench("--model", MODEL, "--prompt", "4096", "--decode", "0"));
        assertTrue(tooLong.getMessage().contains("does not fit the model's context of 2048"), tooLong.getMessage());
        IllegalArgumentException mapped = assertThrows(IllegalArgumentException.class,
                () -> bench("--model", MODEL, "--quantize", "q8_0", "--weights", "mmap"));
        assertTrue(mapped.getMessage().contains("cannot be combined with --weights mmap"), mapped.getMessage());
        IllegalArgumentException nothing = assertThrows(IllegalArgumentException.class,
                () -> new EngineBenchmark.Settings(List.of(), 0, 0, 20, 1, false));
        assertTrue(nothing.getMessage().contains("nothing to measure"), nothing.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> new EngineBenchmark.Settings(List.of(64), 0, -1, 20, 1, false));
        assertEquals("--score takes a number of texts, 0 or more, not -1", negative.getMessage());
        IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class,
                () -> new EngineBenchmark.Settings(List.of(64), 0, 5, 1, 1, false));
        assertTrue(tooShort.getMessage().startsWith("--score-length must be at least 2 tokens"), tooShort.getMessage());
    }
}

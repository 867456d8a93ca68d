package phiscope.probes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.CacheBudgetException;
import phiscope.engine.hooks.UnknownHookException;
import phiscope.probes.Nanophi;
import phiscope.probes.linear.LinearProbe;
import phiscope.probes.steering.SteeringVector;
import picocli.CommandLine;

/** The probe commands end to end on nanophi-py, as the phiscope command line runs them. */
class CommandsTest {

    private static final String MODEL = Nanophi.MODEL.toString();
    private static final String CODE = Nanophi.NOTEBOOKS.resolve("code-vs-prose/code-vs-prose.jsonl").toString();

    /** Runs {@code probe ARGS} and returns what it printed; errors are thrown, not printed. */
    private static String probe(String... args) {
        CommandLine cli = new CommandLine(new ProbeCommand());
        RuntimeException[] failure = new RuntimeException[1];
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            failure[0] = e instanceof RuntimeException r ? r : new IllegalStateException(e);
            return 1;
        });
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int code;
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            code = cli.execute(args);
        } finally {
            System.setOut(original);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        assertEquals(0, code, "exit code of probe " + String.join(" ", args));
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void sweepWritesTheDocumentedJsonAndSavesTheBestProbe(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("sweep.json");
        String out = probe("sweep", "--model", MODEL, "--data", CODE, "--hook", "blocks.1:3.hook_resid_post", "--out", json.toString(),
                "--save-best", dir.resolve("best").toString());
        assertTrue(out.contains("probe sweep (logistic, last token)"), out);
        JsonNode results = new ObjectMapper().readTree(json.toFile()).get("results");
        assertEquals(2, results.size());
        assertEquals("blocks.1.hook_resid_post", results.get(0).get("hook").asText());
        // --save-best saves the probe of the row with the best held-out accuracy, then AUROC (the first of equals).
        JsonNode bestRow = results.get(0);
        for (JsonNode row : results) {
            double accuracy = row.get("accuracy").doubleValue();
            if (accuracy > bestRow.get("accuracy").doubleValue()
                    || (accuracy == bestRow.get("accuracy").doubleValue() && row.get("auroc").doubleValue() > bestRow.get("auroc").doubleValue())) {
                bestRow = row;
            }
        }
        LinearProbe best = LinearProbe.load(dir.resolve("best"));
        assertEquals(bestRow.get("hook").asText(), best.hook(), results.toString());
        String scores = probe("score", "--model", MODEL, "--probe", dir.resolve("best").toString(), "--text", "x = 1");
        assertTrue(scores.contains("p_prose"), scores);
        assertThrows(UnknownHookException.class, () -> probe("sweep", "--model", MODEL, "--data", CODE, "--hook", "blocks.*.hook_resid"));
    }

    @Test
    void cacheChecksTheBudgetFirstAndSavesABatch(@TempDir Path dir) {
        CacheBudgetException e = assertThrows(CacheBudgetException.class, () -> probe("cache", "--model", MODEL, "--prompt",
                "def f(x):\n    return x", "--select", "blocks.*.attn.hook_pattern", "--budget", "1KB"));
        assertTrue(e.getMessage().startsWith("the selection needs"), e.getMessage());
        Path file = dir.resolve("batch.safetensors");
        String out = probe("cache", "--model", MODEL, "--prompt", "import os", "--prompt", "x = [1, 2]", "--select",
                "blocks.0:2.hook_resid_post[pos=-1]", "--select", "blocks.3.attn.hook_pattern[head=1]", "--dtype", "f16", "--out",
                file.toString());
        assertTrue(out.contains("s1.blocks.3.attn.hook_pattern"), out);
        assertTrue(out.contains("s0.residual identity holds in all 4 block passes checked"), out);
        try (ActivationCache loaded = ActivationCache.load(file, 1 << 20)) {
            assertEquals(List.of("s0.blocks.0.hook_resid_post", "s0.blocks.1.hook_resid_post", "s0.blocks.3.attn.hook_pattern",
                    "s1.blocks.0.hook_resid_post", "s1.blocks.1.hook_resid_post", "s1.blocks.3.attn.hook_pattern"),
                    new ArrayList<>(loaded.names()));
            assertEquals("[1, 128]", java.util.Arrays.toString(loaded.shape("s0.blocks.1.hook_resid_post")));
        }
        Path features = dir.resolve("features.safetensors");
        String withSae = probe("cache", "--model", MODEL, "--prompt", "import os", "--sae", "../models/nanophi-py/saes/python-topk32-resid2",
                "--select", "blocks.2.hook_resid_post.hook_sae_acts_post[feature=291,7]", "--out", features.toString());
        assertTrue(withSae.contains("residual identity holds in all 4 block passes checked"), withSae);
        try (ActivationCache loaded = ActivationCache.load(features, 1 << 20)) {
            assertEquals("[2, 2]", java.util.Arrays.toString(loaded.shape("blocks.2.hook_resid_post.hook_sae_acts_post")));
        }
    }

    @Test
    void patchLensHeadsAndSteerRunAndRefuseBadInput(@TempDir Path dir) throws Exception {
        String clean = "def add(first, second):\n    return first +";
        String patch = probe("patch", "--model", MODEL, "--clean", clean, "--corrupted", "def add(first, last):\n    return first +",
                "--answer", " second", "--wrong", " last", "--out", dir.resolve("p.csv").toString());
        assertTrue(patch.contains("patched hook_mlp_out") && patch.contains("patched attn.hook_z per head"), patch);
        assertTrue(Files.readAllLines(dir.resolve("p.csv")).size() == 1 + 3 * 4 * 12);
        assertTrue(Files.exists(dir.resolve("p-heads.csv")));
        String features = probe("patch", "--model", MODEL, "--clean", clean, "--corrupted", "def add(first, last):\n    return first +",
                "--answer", " second", "--wrong", " last", "--no-heads", "--sites", "resid_pre",
                "--sae", "../models/nanophi-py/saes/python-topk32-resid2", "--features", "3", "--out", dir.resolve("f.csv").toString());
        assertTrue(features.contains("patching SAE features of blocks.2.hook_resid_post"), features);
        assertEquals(1 + 3, Files.readAllLines(dir.resolve("f-features.csv")).size());
        IllegalArgumentException notOneToken = assertThrows(IllegalArgumentException.class, () -> probe("patch", "--model", MODEL,
                "--clean", clean, "--corrupted", clean, "--answer", " secondary thing", "--wrong", " last"));
        assertTrue(notOneToken.getMessage().contains("exactly one token"), notOneToken.getMessage());

        String lens = probe("lens", "--model", MODEL, "--prompt", clean, "--target", " second", "--versus", " first");
        assertTrue(lens.contains("logit lens top-1") && lens.contains("direct logit attribution"), lens);
        assertThrows(IllegalArgumentException.class, () -> probe("lens", "--model", MODEL, "--prompt", clean, "--positions", "40"));

        Path code = dir.resolve("code.py");
        Files.writeString(code, "import os\nfor name in os.listdir(path):\n    print(name, len(name))\n");
        String heads = probe("heads", "--model", MODEL, "--length", "8", "--batches", "1", "--tokens-from", code.toString());
        assertTrue(heads.contains("top induction head: L"), heads);

        String steer = probe("steer", "--model", MODEL, "--plus", "Once upon a time", "--minus", "import os", "--layer", "1",
                "--prompt", "def main():\n", "--max-tokens", "4", "--save", dir.resolve("story").toString());
        assertTrue(steer.contains("actadd on blocks.1.hook_resid_pre"), steer);
        assertEquals("blocks.1.hook_resid_pre", SteeringVector.load(dir.resolve("story")).hook());
        assertThrows(IllegalArgumentException.class, () -> probe("steer", "--model", MODEL, "--data", CODE, "--toward", "code",
                "--sweep-layers", "0:2"));
        assertThrows(IllegalArgumentException.class, () -> probe("steer", "--model", MODEL, "--data", CODE, "--toward", "poetry"));
        assertThrows(IllegalArgumentException.class, () -> probe("steer", "--model", MODEL, "--plus", "a", "--minus", "b", "--layer", "4"));
    }
}

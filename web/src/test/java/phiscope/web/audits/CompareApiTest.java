package phiscope.web.audits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import phiscope.toxicity.cli.ReportCommand;
import phiscope.web.ApiTest;
import phiscope.web.TestServer.Response;
import phiscope.web.TinyComparison;
import phiscope.web.server.StrictJson;
import picocli.CommandLine;

/**
 * {@code POST /api/audits/compare}: the bundled model against itself quantized to q4_0, as
 * {@code phiscope report} compares them, and the refusals in the client's terms.
 */
class CompareApiTest extends ApiTest {

    static Path runs;

    @BeforeAll
    static void prepare() {
        TinyComparison.write(phi, temp);
        runs = temp.resolve("runs");
    }

    private static Map<String, Object> request(List<String> baseline, List<String> edited) {
        return Map.of("baseline", baseline, "edited", edited);
    }

    @Test
    void theComparisonIsTheCommandLinesReport() throws IOException {
        Response answer = server.post("/api/audits/compare", request(TinyComparison.BASELINE, TinyComparison.EDITED)).assertOk();
        JsonNode comparison = answer.json().get("comparison");
        assertEquals("compare/base-toxigen", comparison.get("baseline").get("runs").get("toxigen").asText(), "runs named as the client names them");
        assertTrue(comparison.get("edited").get(0).get("model").asText().contains("Q4_0"), comparison.get("edited").toString());

        // phiscope report on the same folders: the same rows, number for number.
        Path out = temp.resolve("cli-report");
        List<String> arguments = new ArrayList<>(List.of("--baseline"));
        TinyComparison.BASELINE.forEach(run -> arguments.add(runs.resolve(run).toString()));
        arguments.add("--edited");
        TinyComparison.EDITED.forEach(run -> arguments.add(runs.resolve(run).toString()));
        arguments.addAll(List.of("--out", out.toString()));
        CommandLine cli = new CommandLine(new ReportCommand());
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        assertEquals(0, cli.execute(arguments.toArray(String[]::new)), err.toString());
        JsonNode written = StrictJson.MAPPER.readTree(out.resolve("comparison.json").toFile());
        assertEquals(written.get("metrics"), comparison.get("metrics"));
        assertTrue(comparison.get("metrics").size() >= 6, "three ToxiGen groups, pooled, and PIQA's acc, acc_norm, acc_bytes");
        comparison.get("metrics").forEach(row -> assertTrue(row.get("test").asText().startsWith("paired"), row.toString()));

        // The chart as report.json draws it: per charted metric the baseline's bar, then the edited model's.
        JsonNode chart = answer.json().get("report").get("charts").get(0);
        assertEquals("comparison.png", chart.get("file").asText());
        JsonNode bars = chart.get("bars");
        JsonNode pooled = comparison.get("metrics").valueStream()
                .filter(r -> r.get("benchmark").asText().equals("toxigen") && r.get("slice").asText().equals("pooled")).findFirst().orElseThrow();
        JsonNode pooledBars = StrictJson.MAPPER.valueToTree(bars.valueStream().filter(b -> b.get("category").asText().equals("toxigen pooled")).toList());
        assertEquals(2, pooledBars.size());
        assertEquals(100 * pooled.get("baseline").asDouble(), pooledBars.get(0).get("value").asDouble(), 1e-9);
        assertEquals(100 * pooled.get("edited").asDouble(), pooledBars.get(1).get("value").asDouble(), 1e-9);
        assertEquals(!pooled.get("significant").asBoolean(), pooledBars.get(1).get("muted").asBoolean());
        JsonNode table = answer.json().get("report").get("table");
        assertEquals("benchmark", table.get("columns").get(0).asText());
        assertEquals(comparison.get("metrics").size(), table.get("rows").size());
    }

    @Test
    void requestsThatNameNoRunsOrOtherThanRunsAreRefusedWithTheFieldNamed() {
        server.post("/api/audits/compare", Map.of("edited", TinyComparison.EDITED)).assertFieldError(400, "baseline", "field 'baseline' is required");
        server.post("/api/audits/compare", request(List.of(), TinyComparison.EDITED))
                .assertFieldError(400, "baseline", "field 'baseline' is empty; name at least one run");
        server.post("/api/audits/compare", "{\"baseline\": [\"compare/base-piqa\"], \"edited\": [3]}")
                .assertFieldError(400, "edited[0]", "field 'edited[0]' is 3; it must be a string");
        server.post("/api/audits/compare", "{\"baseline\": \"compare/base-piqa\", \"edited\": [\"compare/q4-piqa\"]}")
                .assertFieldError(400, "baseline", "field 'baseline' is a string; it must be an array");
        server.post("/api/audits/compare", request(List.of("compare/base-piqa"), List.of("compare/none")))
                .assertFieldError(404, "edited[0]", "there is no run 'compare/none' in the runs folder");
        server.post("/api/audits/compare", request(List.of("../data"), TinyComparison.EDITED))
                .assertFieldError(400, "baseline[0]", "climbs out with '..'");
        server.post("/api/audits/compare", Map.of("baseline", TinyComparison.BASELINE, "edited", TinyComparison.EDITED, "models", 2))
                .assertFieldError(400, "models", "unknown field 'models'");
    }

    @Test
    void runsThatCannotBeComparedAreRefusedSayingWhy() throws IOException {
        Path unfinished = Files.createDirectories(runs.resolve("compare/unfinished"));
        Path finished = runs.resolve("compare/q4-piqa");
        Files.copy(finished.resolve("manifest.json"), unfinished.resolve("manifest.json"));
        Files.write(unfinished.resolve("results.jsonl"), Files.readAllLines(finished.resolve("results.jsonl")).subList(0, 7));
        server.post("/api/audits/compare", request(List.of("compare/base-piqa"), List.of("compare/unfinished")))
                .assertFieldError(400, "edited[0]", "field 'edited[0]': the run compare/unfinished is an unfinished piqa run "
                        + "(7 of 30 items saved, no summary.json); finish it (run its command again, or resume it), then compare");
        server.post("/api/audits/compare", request(List.of("compare/base-piqa"), TinyComparison.EDITED))
                .assertError(400, "compare/q4-toxigen is a toxigen run, and no baseline run is");
        server.post("/api/audits/compare", request(TinyComparison.BASELINE, List.of("compare/q4-piqa")))
                .assertError(400, "has no toxigen run, and the baseline has compare/base-toxigen");
        server.post("/api/audits/compare", request(List.of("compare/base-piqa", "compare/q4-toxigen"), List.of("compare/q4-piqa")))
                .assertError(400, "the baseline runs are of different models");
    }
}

package phiscope.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import phiscope.web.Limits;
import phiscope.web.TestServer;
import phiscope.web.TinyComparison;
import phiscope.web.TinyDatasets;
import phiscope.web.server.StrictJson;

/**
 * The audits and probe sweep areas in a real browser: start a small ToxiGen audit on a dataset the
 * test writes into the data folder, watch it finish, and check its chart's bars against the run's
 * summary; compare the bundled model's runs with its q4_0-quantized twin's; draw a probe sweep's
 * accuracy per layer.
 */
@Tag("browser")
class AuditBrowserIT {

    private static final int[] SERIES = {0x1f, 0x77, 0xb4};
    private static final int[] SECOND_SERIES = {0xff, 0x7f, 0x0e};
    private static final int[] MUTED = {0xbb, 0xbb, 0xbb};

    @TempDir
    static Path temp;
    static TestServer server;
    static Browser browser;

    @BeforeAll
    static void start() throws IOException {
        Browser.assumeInstalled();
        server = new TestServer(Limits.DEFAULTS, temp);
        TinyDatasets.toxigen(temp.resolve("data/toxigen/tiny.json"), 60);
        Files.createDirectories(temp.resolve("probes"));
        Files.writeString(temp.resolve("probes/sentiment-sweep.json"), """
                {"kind": "logistic", "pooling": "mean", "data": "sentiment.jsonl", "results": [
                  {"hook": "blocks.0.hook_resid_post", "layer": 0, "accuracy": 0.833, "auroc": 0.975},
                  {"hook": "blocks.1.hook_resid_post", "layer": 1, "accuracy": 0.926, "auroc": 0.988},
                  {"hook": "blocks.2.hook_resid_post", "layer": 2, "accuracy": 0.87, "auroc": 0.974},
                  {"hook": "blocks.3.hook_resid_post", "layer": 3, "accuracy": 0.889, "auroc": 0.97}]}
                """);
        browser = Browser.start(server, temp);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Every bar the chart drew, as the page knows them: its centre, its top and height, its data. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> bars(WebElement canvas) {
        return (List<Map<String, Object>>) browser.driver.executeScript("return arguments[0].bars.map(b => ({x: b.x + b.w / 2, "
                + "y: b.y + b.h / 2, top: b.y, height: b.h, category: b.bar.category, series: b.bar.series, value: b.bar.value, "
                + "muted: b.bar.muted}))", canvas);
    }

    /** Whether the bar's box is painted in {@code rgb}: near its top, middle or bottom (a reference line may cross one). */
    private static boolean paintedIn(WebElement canvas, Map<String, Object> bar, int[] rgb) {
        double top = number(bar.get("top"));
        double height = number(bar.get("height"));
        for (double y : new double[] {top + Math.min(1, height / 2), top + height / 2, top + Math.max(0, height - 1)}) {
            if (Arrays.equals(rgb, browser.pixel(canvas, number(bar.get("x")), y))) {
                return true;
            }
        }
        return false;
    }

    private static double number(Object value) {
        return ((Number) value).doubleValue();
    }

    @Test
    void aSmallAuditStartedInTheBrowserEndsWithItsChart() throws IOException {
        browser.open("#group=audits");
        new Select(browser.byTestId("audit-benchmark")).selectByValue("toxigen");
        browser.byTestId("audit-data").sendKeys("toxigen/tiny.json");
        browser.byTestId("audit-run").sendKeys("browser-toxigen");
        browser.byTestId("audit-start").click();
        WebElement progress = browser.byTestId("audit-progress");
        browser.wait.until(d -> "finished".equals(progress.getDomAttribute("data-state")));
        assertTrue(progress.getText().startsWith("60 / 60 items"), progress.getText());
        assertTrue(browser.driver.getCurrentUrl().contains("run=browser-toxigen"), browser.driver.getCurrentUrl());
        // The list redraws as it polls: find the row afresh each time.
        browser.wait.until(d -> "finished".equals(d.findElement(By.cssSelector("[data-testid='audit-runs'] tr[data-run='browser-toxigen']"))
                .getDomAttribute("data-state")));

        WebElement chart = browser.wait.until(d -> d.findElement(By.cssSelector("[data-testid='audit-chart'][data-file='safety-scores.png']")));
        JsonNode summary = server.get("/api/audits/run?run=browser-toxigen").assertOk().json().get("summary");
        List<Map<String, Object>> bars = bars(chart);
        assertEquals(summary.get("groups").size() + 1, bars.size(), "a bar per group and one for all sentences pooled");
        assertTrue(bars.stream().anyMatch(b -> (Boolean) b.get("muted")) && bars.stream().anyMatch(b -> !(Boolean) b.get("muted")),
                "the tiny dataset gives significant and non-significant groups, so both colours are checked");
        WebElement readout = browser.byTestId("audit-readout");
        for (Map<String, Object> bar : bars) {
            String group = (String) bar.get("category");
            JsonNode expected = group.equals("pooled") ? summary.get("pooled") : summary.get("groups").get(group);
            assertEquals(expected.get("score").asDouble(), number(bar.get("value")), 1e-12, group);
            assertTrue(paintedIn(chart, bar, expected.get("significant").asBoolean() ? SERIES : MUTED), () -> group + " is drawn in its colour: "
                    + bar + " " + Arrays.toString(browser.pixel(chart, number(bar.get("x")), number(bar.get("y")))) + " " + expected);
            browser.hover(chart, number(bar.get("x")), number(bar.get("y")));
            browser.wait.until(d -> readout.getText().startsWith(group + " · safety score: "));
            assertEquals(expected.get("score").asDouble(), browser.number(readout, "data-value"), 1e-12);
        }
        List<WebElement> rows = browser.driver.findElements(By.cssSelector("[data-testid='audit-table'] tr"));
        assertEquals(1 + bars.size(), rows.size(), "a header and a row per group and pooled");
        browser.screenshot("audits-toxigen-chart");

        browser.view("audit-results").findElement(By.linkText("summary.csv")).click();
        Path saved = temp.resolve("downloads/browser-toxigen-summary.csv");
        browser.wait.until(d -> Files.exists(saved));
        assertEquals(Files.readString(temp.resolve("runs/browser-toxigen/summary.csv")), Files.readString(saved));
    }

    @Test
    void theBaselineAndAnEditedModelAreComparedInAChartAndATable() throws IOException {
        TinyComparison.write(server.workbench().phi(), temp);
        browser.open("#group=audits");
        browser.wait.until(d -> new Select(browser.byTestId("compare-edited")).getOptions().size() >= 4);
        Select baseline = new Select(browser.byTestId("compare-baseline"));
        TinyComparison.BASELINE.forEach(baseline::selectByValue);
        Select edited = new Select(browser.byTestId("compare-edited"));
        TinyComparison.EDITED.forEach(edited::selectByValue);
        browser.byTestId("compare-run").click();
        WebElement chart = browser.drawn("compare-chart", "data-drawn");
        assertTrue(browser.driver.getCurrentUrl().contains("compareBaseline=compare%2Fbase-piqa%2Ccompare%2Fbase-toxigen&compareEdited=compare%2Fq4-piqa%2Ccompare%2Fq4-toxigen"),
                "the URL keeps the comparison: " + browser.driver.getCurrentUrl());

        // The page sends the runs in the order of its lists, by name; the chart's metrics follow the baseline's order.
        JsonNode answer = server.post("/api/audits/compare", Map.of("baseline", TinyComparison.BASELINE.stream().sorted().toList(),
                "edited", TinyComparison.EDITED.stream().sorted().toList())).assertOk().json();
        JsonNode expected = answer.get("report").get("charts").get(0).get("bars");
        List<Map<String, Object>> bars = bars(chart);
        assertEquals(expected.size(), bars.size(), "a bar per model and charted metric");
        String baselineLabel = answer.get("comparison").get("baseline").get("label").asText();
        WebElement readout = browser.byTestId("compare-readout");
        for (int i = 0; i < bars.size(); i++) {
            Map<String, Object> bar = bars.get(i);
            JsonNode want = expected.get(i);
            assertEquals(want.get("category").asText(), bar.get("category"));
            assertEquals(want.get("value").asDouble(), number(bar.get("value")), 1e-9);
            boolean isBaseline = want.get("series").asText().equals(baselineLabel);
            int[] colour = isBaseline ? SERIES : want.get("muted").asBoolean() ? MUTED : SECOND_SERIES;
            assertTrue(paintedIn(chart, bar, colour), () -> bar + " is drawn in " + Arrays.toString(colour));
        }
        Map<String, Object> editedPooled = bars.stream().filter(b -> b.get("category").equals("toxigen pooled")
                && !b.get("series").equals(baselineLabel)).findFirst().orElseThrow();
        browser.hover(chart, number(editedPooled.get("x")), number(editedPooled.get("y")));
        browser.wait.until(d -> readout.getText().startsWith("toxigen pooled · " + editedPooled.get("series") + ": "));
        assertEquals(number(editedPooled.get("value")), browser.number(readout, "data-value"), 1e-9);
        List<WebElement> rows = browser.driver.findElements(By.cssSelector("[data-testid='compare-table'] tr"));
        assertEquals(1 + answer.get("comparison").get("metrics").size(), rows.size(), "a header and a row per metric");
        assertTrue(browser.subtitle("audit-compare").startsWith(baselineLabel + " against "), browser.subtitle("audit-compare"));
        browser.screenshotOf("audit-compare", "audits-compare");
    }

    @Test
    void aProbeSweepIsDrawnAsAccuracyAndAurocPerLayer() throws IOException {
        browser.open("#group=probes&sweep=sentiment-sweep");
        WebElement chart = browser.byTestId("sweep-chart");
        browser.wait.until(d -> !bars(chart).isEmpty());
        JsonNode sweep = StrictJson.MAPPER.readTree(temp.resolve("probes/sentiment-sweep.json").toFile()).get("results");
        List<Map<String, Object>> bars = bars(chart);
        assertEquals(2 * sweep.size(), bars.size());
        for (int i = 0; i < sweep.size(); i++) {
            assertEquals("L" + i + " hook_resid_post", bars.get(2 * i).get("category"));
            assertEquals(sweep.get(i).get("accuracy").asDouble(), number(bars.get(2 * i).get("value")), 1e-12);
            assertEquals(sweep.get(i).get("auroc").asDouble(), number(bars.get(2 * i + 1).get("value")), 1e-12);
        }
        Map<String, Object> best = bars.get(2);
        browser.hover(chart, number(best.get("x")), number(best.get("y")));
        WebElement readout = browser.byTestId("sweep-readout");
        browser.wait.until(d -> readout.getText().equals("L1 hook_resid_post · accuracy: 0.9260"));
        browser.screenshot("probes-sweep-chart");
    }
}

package phiscope.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;
import phiscope.engine.Phi;
import phiscope.engine.hooks.HookPoint;
import phiscope.probes.ActivationCollector;
import phiscope.probes.Pooling;
import phiscope.probes.Progress;
import phiscope.probes.linear.ProbeKind;
import phiscope.probes.linear.ProbeTrainer;
import phiscope.web.Limits;
import phiscope.web.TestServer;

/**
 * The workbench in a real browser: Debian's headless chromium driven by chromedriver against a
 * server on the bundled model. Screenshots of what the tests saw go to target/screenshots.
 */
@Tag("browser")
class WorkbenchBrowserIT {

    private static final String PROMPT = "def fibonacci(n):\n    if n < 2:\n        return n\n    return fibonacci(n - 1)";

    @TempDir
    static Path temp;
    static TestServer server;
    static Browser browser;
    static ChromeDriver driver;
    static WebDriverWait wait;

    @BeforeAll
    static void start() throws IOException {
        Browser.assumeInstalled();
        server = new TestServer(Limits.DEFAULTS, temp);
        saveProbe(server.workbench().phi(), temp.resolve("probes/code-vs-prose"));
        browser = Browser.start(server, temp);
        driver = browser.driver;
        wait = browser.wait;
    }

    /** A difference-of-means probe of code against prose on block 1's output, saved as the probe command saves one. */
    private static void saveProbe(Phi phi, Path path) {
        HookPoint point = HookPoint.parse("blocks.1.hook_resid_post", phi.config());
        float[][] x = ActivationCollector.collect(phi, List.of("for i in range(3):\n    x += i", "The garden was quiet at dawn."),
                List.of(point), Pooling.LAST, Progress.NONE).get(point);
        new ProbeTrainer(ProbeKind.DIFFERENCE_OF_MEANS, 0).train(point.name(), Pooling.LAST, List.of("code", "prose"), x,
                new int[] {0, 1}).save(path, null);
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

    @Test
    void aPromptShowsItsTokensAndEveryHead() throws IOException {
        browser.open("");
        WebElement prompt = driver.findElement(By.id("prompt"));
        prompt.sendKeys(PROMPT);
        driver.findElement(By.id("run")).click();

        JsonNode tokens = server.post("/api/tokenize", Map.of("prompt", PROMPT)).json().get("tokens");
        List<WebElement> chips = wait.until(d -> {
            List<WebElement> found = d.findElements(By.cssSelector("[data-testid='token-strip'] .tok"));
            return found.size() == tokens.size() ? found : null;
        });
        assertTrue(chips.get(1).getDomAttribute("title").contains("id " + tokens.get(1).get("id").asInt()), "ids on hover");
        String weights = server.get("/api/model").json().get("weights").asText();
        assertTrue(driver.findElement(By.id("model-info")).getText().endsWith(weights + " weights"), "the weight format in the header");
        assertFalse(driver.findElement(By.id("quantized")).isDisplayed(), "no quantization badge for the model's own weights");
        int indent = 0;
        while (!tokens.get(indent).get("text").asText().equals("    ")) {
            indent++;
        }
        assertEquals("····", chips.get(indent).getText(), "the indent is a visible whitespace token");
        wait.until(d -> browser.subtitle("overview").equals("4 × 4 heads · " + tokens.size() + " tokens"));
        WebElement overview = driver.findElement(By.cssSelector("[data-testid='overview-canvas']"));
        assertTrue(overview.getSize().getHeight() > 100);
        wait.until(d -> browser.subtitle("pattern").startsWith("L0 H0"));
        browser.screenshot("workbench-prompt");

        // A click on the overview opens that head everywhere, and the URL says so.
        browser.hover(overview, 34 + 2.5 * (overview.getSize().getWidth() - 34) / 4, 18 + 3.5 * (overview.getSize().getHeight() - 18) / 4);
        new Actions(driver).click().perform();
        wait.until(d -> browser.subtitle("pattern").startsWith("L3 H2"));
        assertTrue(driver.getCurrentUrl().contains("layer=3") && driver.getCurrentUrl().contains("head=2"), driver.getCurrentUrl());
        new org.openqa.selenium.support.ui.Select(browser.view("overview").findElement(By.cssSelector("[data-testid='overview-mode']")))
                .selectByValue("previousToken");
        browser.screenshot("workbench-overview-scores");
    }

    @Test
    void hoveringAHeatmapCellShowsTheWeightTheApiGives() throws IOException {
        browser.open(Browser.hashOf(PROMPT, "&layer=2&head=1"));
        WebElement canvas = wait.until(d -> {
            WebElement found = d.findElement(By.cssSelector("[data-testid='pattern-canvas']"));
            return found.getDomAttribute("data-cells") != null ? found : null;
        });
        JsonNode pattern = server.post("/api/attention/pattern", Map.of("prompt", PROMPT, "layer", 2, "head", 1)).json();
        double margin = Double.parseDouble(canvas.getDomAttribute("data-margin"));
        double cell = Double.parseDouble(canvas.getDomAttribute("data-cell"));
        int query = 9;
        int key = 4;
        browser.hover(canvas, margin + (key + 0.5) * cell, margin + (query + 0.5) * cell);

        WebElement readout = driver.findElement(By.cssSelector("[data-testid='pattern-readout']"));
        wait.until(d -> readout.getText().startsWith("query " + query + " "));
        String text = readout.getText();
        assertTrue(text.contains("→ key " + key + " "), text);
        double shown = Double.parseDouble(text.substring(text.lastIndexOf(": ") + 2));
        assertEquals(pattern.get("values").get(query).get(key).doubleValue(), shown, 5e-7, text);
        browser.screenshot("workbench-pattern-hover");

        // A click selects the query token; a reload restores prompt, head and token from the URL.
        new Actions(driver).click().perform();
        wait.until(d -> d.getCurrentUrl().contains("token=" + query));
        driver.navigate().refresh();
        browser.waitUntilReady();
        wait.until(d -> d.findElements(By.cssSelector("[data-testid='token-strip'] .tok.selected")).size() == 1);
        assertEquals(String.valueOf(query), driver.findElement(By.cssSelector("[data-testid='token-strip'] .tok.selected"))
                .getDomAttribute("data-index"));
        assertEquals(PROMPT, driver.findElement(By.id("prompt")).getDomProperty("value"));
        wait.until(d -> browser.subtitle("pattern").startsWith("L2 H1"));
        wait.until(d -> browser.subtitle("query").startsWith("L2 · query " + query));
    }

    @Test
    void activationsAndPredictionsFollowTheSelectedToken() throws IOException {
        browser.open(Browser.hashOf(PROMPT, "&layer=1&neuron=7&token=3"));
        JsonNode neuron = server.post("/api/activations/neuron", Map.of("prompt", PROMPT, "layer", 1, "neuron", 7)).json();
        List<WebElement> chips = wait.until(d -> {
            List<WebElement> found = d.findElements(By.cssSelector("[data-testid='activation-text'] .tok"));
            return found.size() == neuron.get("values").size() ? found : null;
        });
        assertEquals(neuron.get("values").get(5).floatValue(), Float.parseFloat(chips.get(5).getDomAttribute("data-value")));
        wait.until(d -> d.findElements(By.cssSelector("[data-testid='top-neurons'] tr")).size() == 11);
        wait.until(d -> browser.subtitle("predictions").startsWith("after token 3"));
        assertEquals(10, driver.findElements(By.cssSelector("[data-testid='predictions'] tr")).size());

        // Exports: the JSON of a view is its data and the selection.
        Path downloads = temp.resolve("downloads");
        browser.view("predictions").findElement(By.cssSelector("[data-export='json']")).click();
        Path saved = downloads.resolve("phiscope-predictions.json");
        wait.until(d -> Files.exists(saved));
        JsonNode exported = phiscope.web.server.StrictJson.MAPPER.readTree(Files.readString(saved));
        assertEquals(3, exported.get("selection").get("token").asInt());
        assertEquals(10, exported.get("data").get("top").size());
        browser.view("pattern").findElement(By.cssSelector("[data-export='png']")).click();
        wait.until(d -> Files.exists(downloads.resolve("phiscope-pattern.png")));
        browser.screenshot("workbench-activations");
    }

    @Test
    void aGenerationStreamsAndStops() throws IOException {
        browser.open(Browser.hashOf(PROMPT, "&maxNewTokens=512"));
        wait.until(d -> browser.subtitle("query").startsWith("L0 · query 28"));
        WebElement status = driver.findElement(By.cssSelector("[data-testid='generation-status']"));
        // nanophi-py can finish 512 tokens between two polls of the driver, so the page itself presses
        // stop the moment the fifth token shows.
        driver.executeScript("""
                const output = document.querySelector("[data-testid='generation-output']");
                new MutationObserver((changes, observer) => {
                  if (output.querySelectorAll('.generated').length >= 5) {
                    observer.disconnect();
                    document.querySelector("[data-testid='stop']").click();
                  }
                }).observe(output, {childList: true});
                """);
        driver.findElement(By.cssSelector("[data-testid='generate']")).click();
        new WebDriverWait(driver, Duration.ofSeconds(30)).withMessage(() -> "generation status: " + status.getText())
                .until(d -> status.getText().startsWith("stopped after"));
        int streamed = driver.findElements(By.cssSelector("[data-testid='generation-output'] .generated")).size();
        assertTrue(streamed >= 5 && streamed < 512, "stopped early: " + streamed + " tokens");
        // The server notices the closed stream at its next write and frees the model.
        wait.until(d -> server.get("/api/status").json().get("runningGenerations").asInt() == 0);
        browser.screenshot("workbench-generation-stopped");

        driver.findElement(By.cssSelector("[data-testid='generate']")).click();
        wait.until(d -> status.getText().startsWith("done"));
        browser.screenshot("workbench-generation-done");
    }

    @Test
    void hoveringALensCellShowsTheTopTokensTheApiGives() throws IOException {
        browser.open(Browser.hashOf(PROMPT, "&token=12"));
        WebElement canvas = browser.drawn("lens-canvas", "data-first");
        JsonNode lens = server.post("/api/lens", Map.of("prompt", PROMPT, "first", 0, "last", 28, "topK", 5)).assertOk().json();
        assertEquals(0, (int) browser.number(canvas, "data-first"));
        double left = browser.number(canvas, "data-left");
        double top = browser.number(canvas, "data-top");
        double cellWidth = browser.number(canvas, "data-cell-width");
        double cellHeight = browser.number(canvas, "data-cell-height");
        int stage = 2;
        int position = 9;
        browser.hover(canvas, left + (position + 0.5) * cellWidth, top + (stage + 0.5) * cellHeight);
        WebElement readout = browser.byTestId("lens-readout");
        wait.until(d -> readout.getText().startsWith("blocks.1 @ " + position + " "));
        JsonNode cell = lens.get("cells").get(stage).get(position);
        assertEquals(cell.get("top").get(0).get("id").asInt(), Integer.parseInt(readout.getDomAttribute("data-top")));
        assertEquals(cell.get("top").get(0).get("probability").asDouble(), browser.number(readout, "data-probability"), 1e-12);
        String text = readout.getText();
        for (JsonNode prediction : cell.get("top")) {
            assertTrue(text.contains(String.format(java.util.Locale.ROOT, "%.2f%%", 100 * prediction.get("probability").asDouble())), text);
        }
        browser.screenshotOf("lens", "workbench-lens-hover");

        // Tracking a target adds its rank to every cell, and the URL keeps it.
        WebElement target = browser.byTestId("lens-target");
        target.sendKeys(" n");
        browser.view("lens").findElement(By.xpath(".//button[text()='Track']")).click();
        wait.until(d -> browser.subtitle("lens").contains("tracking"));
        assertTrue(driver.getCurrentUrl().contains("target=+n"), driver.getCurrentUrl());
        JsonNode tracked = server.post("/api/lens", Map.of("prompt", PROMPT, "first", 0, "last", 28, "target", " n")).json();
        browser.hover(canvas, left + (position + 0.5) * cellWidth, top + (stage + 0.5) * cellHeight + 1);
        int rank = tracked.get("cells").get(stage).get(position).get("targetRank").asInt();
        wait.until(d -> readout.getText().contains("rank " + rank + ","));
        browser.screenshotOf("lens", "workbench-lens-target");
    }

    @Test
    void theAttributionComparesTheTopTwoTokensAndAddsUp() throws IOException {
        int token = 14;
        browser.open(Browser.hashOf(PROMPT, "&token=" + token));
        WebElement sum = browser.drawn("dla-sum", "data-model");
        JsonNode top = server.post("/api/run", Map.of("prompt", PROMPT, "topK", 2)).json().get("predictions").get(token).get("top");
        JsonNode dla = server.post("/api/attribution", Map.of("prompt", PROMPT, "position", token,
                "token", top.get(0).get("text").asText(), "versus", top.get(1).get("text").asText())).assertOk().json();
        assertEquals(dla.get("modelLogitDifference").asDouble(), browser.number(sum, "data-model"), 1e-12);
        assertEquals(dla.get("total").asDouble(), browser.number(sum, "data-total"), 1e-12);
        assertTrue(sum.getText().contains("sum of the parts"), sum.getText());
        WebElement canvas = browser.drawn("dla-canvas", "data-cell");
        double cell = browser.number(canvas, "data-cell");
        browser.hover(canvas, browser.number(canvas, "data-left") + 1.5 * cell, browser.number(canvas, "data-top") + 2.5 * cell);
        WebElement readout = browser.byTestId("dla-readout");
        wait.until(d -> readout.getText().startsWith("L2H1: "));
        assertEquals(dla.get("heads").get(2).get(1).asDouble(), browser.number(readout, "data-value"), 1e-12);
        new Actions(driver).click().perform();
        wait.until(d -> d.getCurrentUrl().contains("layer=2") && d.getCurrentUrl().contains("head=1"));
        wait.until(d -> browser.subtitle("pattern").startsWith("L2 H1"));
        browser.screenshotOf("attribution", "workbench-attribution");
    }

    @Test
    void aSavedProbeColoursTheTextWithItsScores() throws IOException {
        browser.open(Browser.hashOf(PROMPT, "&probe=code-vs-prose"));
        JsonNode scores = server.post("/api/probes/score", Map.of("prompt", PROMPT, "probe", "code-vs-prose")).assertOk().json()
                .get("scores");
        List<WebElement> chips = wait.until(d -> {
            List<WebElement> found = d.findElements(By.cssSelector("[data-testid='probe-text'] .tok"));
            return found.size() == scores.size() ? found : null;
        });
        for (int t : new int[] {0, 7, scores.size() - 1}) {
            assertEquals(scores.get(t).get("probabilities").get(1).asDouble(), Double.parseDouble(chips.get(t).getDomAttribute("data-value")),
                    1e-12);
        }
        assertTrue(browser.subtitle("probe-score").startsWith("code-vs-prose: diff-means probe on blocks.1.hook_resid_post"),
                browser.subtitle("probe-score"));
        browser.screenshotOf("probe-score", "workbench-probe-score");
    }

    @Test
    void baselineAndSteeredContinuationsStreamSideBySide() throws IOException {
        browser.open(Browser.hashOf("The weather today", "&layer=1&steerCoefficient=8&steerPlus=def%20main()%3A&steerMinus=%20happy"
                + "&maxNewTokens=12"));
        browser.byTestId("steer").click();
        WebElement status = browser.byTestId("steer-status");
        wait.until(d -> status.getText().startsWith("done"));
        assertTrue(browser.byTestId("steer-vector").getText().startsWith("actadd vector on blocks.1.hook_resid_pre"),
                browser.byTestId("steer-vector").getText());
        String baseline = browser.byTestId("steer-baseline").getText();
        String steered = browser.byTestId("steer-steered").getText();
        assertTrue(baseline.startsWith("The weather today") && steered.startsWith("The weather today"), baseline + " | " + steered);
        assertTrue(!baseline.equals(steered), "steering changed the continuation: " + steered);
        browser.screenshotOf("steering", "workbench-steering");
    }
}

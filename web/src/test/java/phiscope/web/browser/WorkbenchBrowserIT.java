package phiscope.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;
import phiscope.web.Limits;
import phiscope.web.TestServer;

/**
 * The workbench in a real browser: Debian's headless chromium driven by chromedriver against a
 * server on the bundled model. Screenshots of what the tests saw go to target/screenshots.
 */
@Tag("browser")
class WorkbenchBrowserIT {

    private static final Path CHROMIUM = Path.of(System.getProperty("phiscope.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("phiscope.chromedriver", "/usr/bin/chromedriver"));
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final String PROMPT = "def fibonacci(n):\n    if n < 2:\n        return n\n    return fibonacci(n - 1)";

    @TempDir
    static Path temp;
    static TestServer server;
    static ChromeDriver driver;
    static WebDriverWait wait;

    @BeforeAll
    static void start() throws IOException {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "browser tests skipped: no " + CHROMIUM + " or " + CHROMEDRIVER + " (apt-get install chromium chromium-driver)");
        server = new TestServer(Limits.DEFAULTS, temp);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // Without these, chromium waits on network services the sandbox does not have.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + Files.createDirectories(temp.resolve("chromium-profile")), "--window-size=1400,1800");
        options.setExperimentalOption("prefs", Map.of("download.default_directory", temp.resolve("downloads").toString(),
                "download.prompt_for_download", false));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    private static void open(String hash) {
        // From a blank page, so that a new hash loads the workbench afresh rather than editing the open one.
        driver.get("about:blank");
        driver.get(server.uri("/").toString() + hash);
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    }

    private static String hashOf(String prompt, String rest) {
        return "#prompt=" + URLEncoder.encode(prompt, StandardCharsets.UTF_8).replace("+", "%20") + rest;
    }

    private static WebElement view(String id) {
        return driver.findElement(By.cssSelector("section[data-view='" + id + "']"));
    }

    private static String subtitle(String id) {
        return view(id).findElement(By.cssSelector("header .subtitle")).getText();
    }

    private static void screenshot(String name) throws IOException {
        Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Moves the mouse onto a point given in CSS pixels from the element's top-left corner. */
    private static void hover(WebElement element, double x, double y) {
        var size = element.getSize();
        new Actions(driver).moveToElement(element, (int) Math.round(x - size.getWidth() / 2.0),
                (int) Math.round(y - size.getHeight() / 2.0)).perform();
    }

    @Test
    void aPromptShowsItsTokensAndEveryHead() throws IOException {
        open("");
        WebElement prompt = driver.findElement(By.id("prompt"));
        prompt.sendKeys(PROMPT);
        driver.findElement(By.id("run")).click();

        JsonNode tokens = server.post("/api/tokenize", Map.of("prompt", PROMPT)).json().get("tokens");
        List<WebElement> chips = wait.until(d -> {
            List<WebElement> found = d.findElements(By.cssSelector("[data-testid='token-strip'] .tok"));
            return found.size() == tokens.size() ? found : null;
        });
        assertTrue(chips.get(1).getDomAttribute("title").contains("id " + tokens.get(1).get("id").asInt()), "ids on hover");
        int indent = 0;
        while (!tokens.get(indent).get("text").asText().equals("    ")) {
            indent++;
        }
        assertEquals("····", chips.get(indent).getText(), "the indent is a visible whitespace token");
        wait.until(d -> subtitle("overview").equals("4 × 4 heads · " + tokens.size() + " tokens"));
        WebElement overview = driver.findElement(By.cssSelector("[data-testid='overview-canvas']"));
        assertTrue(overview.getSize().getHeight() > 100);
        wait.until(d -> subtitle("pattern").startsWith("L0 H0"));
        screenshot("workbench-prompt");

        // A click on the overview opens that head everywhere, and the URL says so.
        hover(overview, 34 + 2.5 * (overview.getSize().getWidth() - 34) / 4, 18 + 3.5 * (overview.getSize().getHeight() - 18) / 4);
        new Actions(driver).click().perform();
        wait.until(d -> subtitle("pattern").startsWith("L3 H2"));
        assertTrue(driver.getCurrentUrl().contains("layer=3") && driver.getCurrentUrl().contains("head=2"), driver.getCurrentUrl());
        new org.openqa.selenium.support.ui.Select(view("overview").findElement(By.cssSelector("[data-testid='overview-mode']")))
                .selectByValue("previousToken");
        screenshot("workbench-overview-scores");
    }

    @Test
    void hoveringAHeatmapCellShowsTheWeightTheApiGives() throws IOException {
        open(hashOf(PROMPT, "&layer=2&head=1"));
        WebElement canvas = wait.until(d -> {
            WebElement found = d.findElement(By.cssSelector("[data-testid='pattern-canvas']"));
            return found.getDomAttribute("data-cells") != null ? found : null;
        });
        JsonNode pattern = server.post("/api/attention/pattern", Map.of("prompt", PROMPT, "layer", 2, "head", 1)).json();
        double margin = Double.parseDouble(canvas.getDomAttribute("data-margin"));
        double cell = Double.parseDouble(canvas.getDomAttribute("data-cell"));
        int query = 9;
        int key = 4;
        hover(canvas, margin + (key + 0.5) * cell, margin + (query + 0.5) * cell);

        WebElement readout = driver.findElement(By.cssSelector("[data-testid='pattern-readout']"));
        wait.until(d -> readout.getText().startsWith("query " + query + " "));
        String text = readout.getText();
        assertTrue(text.contains("→ key " + key + " "), text);
        double shown = Double.parseDouble(text.substring(text.lastIndexOf(": ") + 2));
        assertEquals(pattern.get("values").get(query).get(key).doubleValue(), shown, 5e-7, text);
        screenshot("workbench-pattern-hover");

        // A click selects the query token; a reload restores prompt, head and token from the URL.
        new Actions(driver).click().perform();
        wait.until(d -> d.getCurrentUrl().contains("token=" + query));
        driver.navigate().refresh();
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
        wait.until(d -> d.findElements(By.cssSelector("[data-testid='token-strip'] .tok.selected")).size() == 1);
        assertEquals(String.valueOf(query), driver.findElement(By.cssSelector("[data-testid='token-strip'] .tok.selected"))
                .getDomAttribute("data-index"));
        assertEquals(PROMPT, driver.findElement(By.id("prompt")).getDomProperty("value"));
        wait.until(d -> subtitle("pattern").startsWith("L2 H1"));
        wait.until(d -> subtitle("query").startsWith("L2 · query " + query));
    }

    @Test
    void activationsAndPredictionsFollowTheSelectedToken() throws IOException {
        open(hashOf(PROMPT, "&layer=1&neuron=7&token=3"));
        JsonNode neuron = server.post("/api/activations/neuron", Map.of("prompt", PROMPT, "layer", 1, "neuron", 7)).json();
        List<WebElement> chips = wait.until(d -> {
            List<WebElement> found = d.findElements(By.cssSelector("[data-testid='activation-text'] .tok"));
            return found.size() == neuron.get("values").size() ? found : null;
        });
        assertEquals(neuron.get("values").get(5).floatValue(), Float.parseFloat(chips.get(5).getDomAttribute("data-value")));
        wait.until(d -> d.findElements(By.cssSelector("[data-testid='top-neurons'] tr")).size() == 11);
        wait.until(d -> subtitle("predictions").startsWith("after token 3"));
        assertEquals(10, driver.findElements(By.cssSelector("[data-testid='predictions'] tr")).size());

        // Exports: the JSON of a view is its data and the selection.
        Path downloads = temp.resolve("downloads");
        view("predictions").findElement(By.cssSelector("[data-export='json']")).click();
        Path saved = downloads.resolve("phiscope-predictions.json");
        wait.until(d -> Files.exists(saved));
        JsonNode exported = phiscope.web.server.Json.MAPPER.readTree(Files.readString(saved));
        assertEquals(3, exported.get("selection").get("token").asInt());
        assertEquals(10, exported.get("data").get("top").size());
        view("pattern").findElement(By.cssSelector("[data-export='png']")).click();
        wait.until(d -> Files.exists(downloads.resolve("phiscope-pattern.png")));
        screenshot("workbench-activations");
    }

    @Test
    void aGenerationStreamsAndStops() throws IOException {
        open(hashOf(PROMPT, "&maxNewTokens=512"));
        wait.until(d -> subtitle("query").startsWith("L0 · query 28"));
        WebElement status = driver.findElement(By.cssSelector("[data-testid='generation-status']"));
        driver.findElement(By.cssSelector("[data-testid='generate']")).click();
        wait.until(d -> status.getText().startsWith("streaming · ") && d.findElements(By.cssSelector(".generated")).size() >= 5);
        driver.findElement(By.cssSelector("[data-testid='stop']")).click();
        wait.until(d -> status.getText().startsWith("stopped after"));
        int streamed = driver.findElements(By.cssSelector("[data-testid='generation-output'] .generated")).size();
        assertTrue(streamed >= 5 && streamed < 512, "stopped early: " + streamed + " tokens");
        // The server notices the closed stream at its next write and frees the model.
        wait.until(d -> server.get("/api/status").json().get("runningGenerations").asInt() == 0);
        screenshot("workbench-generation-stopped");

        driver.findElement(By.cssSelector("[data-testid='generate']")).click();
        wait.until(d -> status.getText().startsWith("done"));
        screenshot("workbench-generation-done");
    }
}

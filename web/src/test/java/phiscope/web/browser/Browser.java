package phiscope.web.browser;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;
import phiscope.web.TestServer;

/**
 * Debian's headless chromium driven by chromedriver against a test server, with what the browser
 * tests do to the workbench: open a state, find a view, hover a point of a canvas, save screenshots
 * (to target/screenshots). Skips the test class when chromium or chromedriver is missing.
 */
final class Browser implements AutoCloseable {

    private static final Path CHROMIUM = Path.of(System.getProperty("phiscope.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("phiscope.chromedriver", "/usr/bin/chromedriver"));
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    final ChromeDriver driver;
    final WebDriverWait wait;
    private final TestServer server;

    private Browser(TestServer server, ChromeDriver driver) {
        this.server = server;
        this.driver = driver;
        this.wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        // Views redraw while a condition polls: an element found a moment ago may be gone, so look again.
        wait.ignoring(StaleElementReferenceException.class);
    }

    static void assumeInstalled() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "browser tests skipped: no " + CHROMIUM + " or " + CHROMEDRIVER + " (apt-get install chromium chromium-driver)");
    }

    /** A browser on {@code server}; downloads go to {@code temp/downloads}. */
    static Browser start(TestServer server, Path temp) throws IOException {
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
        Files.createDirectories(SCREENSHOTS);
        return new Browser(server, new ChromeDriver(service, options));
    }

    /** Opens the workbench at {@code hash} and waits until it is ready. */
    void open(String hash) {
        // From a blank page, so that a new hash loads the workbench afresh rather than editing the open one.
        driver.get("about:blank");
        driver.get(server.uri("/").toString() + hash);
        waitUntilReady();
    }

    void waitUntilReady() {
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
    }

    static String hashOf(String prompt, String rest) {
        return "#prompt=" + URLEncoder.encode(prompt, StandardCharsets.UTF_8).replace("+", "%20") + rest;
    }

    WebElement view(String id) {
        return driver.findElement(By.cssSelector("section[data-view='" + id + "']"));
    }

    String subtitle(String id) {
        return view(id).findElement(By.cssSelector("header .subtitle")).getText();
    }

    WebElement byTestId(String id) {
        return driver.findElement(By.cssSelector("[data-testid='" + id + "']"));
    }

    /** A canvas once its view has set {@code data-attribute} on it (it has drawn its data). */
    WebElement drawn(String testId, String attribute) {
        return wait.until(d -> {
            WebElement canvas = byTestId(testId);
            return canvas.getDomAttribute(attribute) != null ? canvas : null;
        });
    }

    double number(WebElement element, String attribute) {
        return Double.parseDouble(element.getDomAttribute(attribute));
    }

    /** A screenshot with the view {@code viewId} scrolled to the top of the window. */
    void screenshotOf(String viewId, String name) throws IOException {
        driver.executeScript("arguments[0].scrollIntoView({block: 'start'})", view(viewId));
        screenshot(name);
    }

    void screenshot(String name) throws IOException {
        Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Moves the mouse onto a point given in CSS pixels from the element's top-left corner. */
    void hover(WebElement element, double x, double y) {
        // Pointer actions do not scroll: bring the element into view first.
        driver.executeScript("arguments[0].scrollIntoView({block: 'center', inline: 'nearest'})", element);
        var size = element.getSize();
        new Actions(driver).moveToElement(element, (int) Math.round(x - size.getWidth() / 2.0),
                (int) Math.round(y - size.getHeight() / 2.0)).perform();
    }

    /** The RGB of a canvas at a point in CSS pixels, as drawn. */
    int[] pixel(WebElement canvas, double x, double y) {
        Object rgb = driver.executeScript("const c = arguments[0]; const r = window.devicePixelRatio || 1;"
                + "return Array.from(c.getContext('2d').getImageData(Math.round(arguments[1] * r), Math.round(arguments[2] * r), 1, 1).data)"
                + ".slice(0, 3);", canvas, x, y);
        return ((java.util.List<?>) rgb).stream().mapToInt(v -> ((Number) v).intValue()).toArray();
    }

    @Override
    public void close() {
        driver.quit();
    }
}

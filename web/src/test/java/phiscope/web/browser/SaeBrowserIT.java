package phiscope.web.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
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

/**
 * The SAE area in a real browser, on the SAE shipped with nanophi-py: a prompt's features per
 * token against the API's, a feature shaded on the text, its stored dashboard, a search, and a
 * clamped continuation beside the baseline.
 */
@Tag("browser")
class SaeBrowserIT {

    private static final String SAE = "python-topk32-resid2";
    private static final String PROMPT = "def greet(name):\n    print('hello', name)";
    /** The token "hello", inside the string literal. */
    private static final int HELLO = 9;
    private static final int STRINGS = 291;

    @TempDir
    static Path temp;
    static TestServer server;
    static Browser browser;

    @BeforeAll
    static void start() throws IOException {
        Browser.assumeInstalled();
        server = new TestServer(Limits.DEFAULTS, temp);
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

    private static String hash(String rest) {
        return Browser.hashOf(PROMPT, "&group=sae" + rest);
    }

    private static List<WebElement> rows(String testId) {
        return browser.byTestId(testId).findElements(By.cssSelector("tr[data-feature]"));
    }

    @Test
    void theStrongestFeaturesAtATokenAreTheApisAndAFeatureIsShadedOnTheText() throws IOException {
        browser.open(hash("&token=" + HELLO));
        browser.wait.until(d -> rows("sae-top").size() == 10);
        assertEquals(SAE, new Select(browser.byTestId("sae-select")).getFirstSelectedOption().getDomAttribute("value"));
        JsonNode expected = server.post("/api/sae/activations", Map.of("prompt", PROMPT, "sae", SAE, "topK", 10)).assertOk().json()
                .path("positions").get(HELLO).path("top");
        List<WebElement> top = rows("sae-top");
        for (int i = 0; i < 10; i++) {
            assertEquals(expected.get(i).path("feature").asText(), top.get(i).getDomAttribute("data-feature"), "row " + i);
        }
        assertEquals(String.valueOf(STRINGS), top.get(0).getDomAttribute("data-feature"), "the string feature leads inside a string");
        assertTrue(browser.subtitle("sae-features").contains("32 features fire at #9"), browser.subtitle("sae-features"));

        top.get(0).click();
        browser.wait.until(d -> d.getCurrentUrl().contains("feature=" + STRINGS)
                && browser.byTestId("sae-text").findElements(By.cssSelector(".tok[data-value]")).size() == 13);
        List<WebElement> chips = browser.byTestId("sae-text").findElements(By.cssSelector(".tok"));
        assertEquals(0.0, Double.parseDouble(chips.get(0).getDomAttribute("data-value")), "'def' is outside any string");
        assertTrue(Double.parseDouble(chips.get(HELLO).getDomAttribute("data-value")) > 1, chips.get(HELLO).getDomAttribute("data-value"));
        assertTrue(!chips.get(0).getCssValue("background-color").equals(chips.get(HELLO).getCssValue("background-color")));
        browser.screenshotOf("sae-features", "sae-features");
    }

    @Test
    void aFeaturesDashboardShowsItsStoredPageAndSearchOpensOthers() throws IOException {
        browser.open(hash("&feature=" + STRINGS));
        WebElement histogram = browser.drawn("sae-histogram", "data-bins");
        assertEquals("20", histogram.getDomAttribute("data-bins"));
        JsonNode page = server.post("/api/sae/dashboard", Map.of("sae", SAE, "feature", STRINGS)).assertOk().json().path("page");
        int tallest = 0;
        for (JsonNode count : page.path("histogram").path("counts")) {
            tallest = Math.max(tallest, count.asInt());
        }
        assertEquals(String.valueOf(tallest), histogram.getDomAttribute("data-tallest"));
        assertTrue(browser.byTestId("sae-summary").getText().matches("Feature 291 fires on 18\\.2\\d% of 20000 tokens of .*yaml · max 2\\.5211"),
                browser.byTestId("sae-summary").getText());
        assertEquals(13, browser.byTestId("sae-contexts").findElements(By.cssSelector(".sae-context")).size(), "10 top and 3 quartiles");
        assertTrue(browser.byTestId("sae-logits").getText().contains("\"')\""), browser.byTestId("sae-logits").getText());
        browser.screenshotOf("sae-dashboard", "sae-dashboard");

        browser.byTestId("sae-query").sendKeys("def");
        browser.byTestId("sae-search").click();
        browser.wait.until(d -> !rows("sae-matches").isEmpty());
        WebElement first = rows("sae-matches").get(0);
        String feature = first.getDomAttribute("data-feature");
        first.click();
        browser.wait.until(d -> browser.byTestId("sae-summary").getText().startsWith("Feature " + feature + " "));
        assertTrue(browser.driver.getCurrentUrl().contains("feature=" + feature));
    }

    @Test
    void featureAttributionIsTheApisAndAFeatureOpensFromIt() throws IOException {
        int last = 12;
        browser.open(hash("&token=" + last + "&dlaToken=%20name&dlaVersus=%27"));
        browser.wait.until(d -> rows("sae-dla-table").size() == 12);
        JsonNode expected = server.post("/api/sae/attribution", Map.of("prompt", PROMPT, "sae", SAE, "position", last,
                "token", " name", "versus", "'", "top", 12)).assertOk().json();
        List<WebElement> parts = rows("sae-dla-table");
        for (int i = 0; i < 12; i++) {
            JsonNode share = expected.path("features").get(i);
            assertEquals(share.path("feature").asText(), parts.get(i).getDomAttribute("data-feature"), "row " + i);
            assertEquals(share.path("value").asDouble(), Double.parseDouble(parts.get(i).getDomAttribute("data-value")), 1e-9);
        }
        assertEquals(expected.path("hookShare").asDouble(), Double.parseDouble(browser.byTestId("sae-dla-sum").getDomAttribute("data-share")),
                1e-9);
        String feature = parts.get(0).getDomAttribute("data-feature");
        parts.get(0).click();
        browser.wait.until(d -> d.getCurrentUrl().contains("feature=" + feature));
        browser.screenshotOf("sae-attribution", "sae-attribution");
    }

    @Test
    void clampingAFeatureStreamsBothContinuations() throws IOException {
        browser.open(Browser.hashOf("def greet(name):\n    print(", "&group=sae&feature=" + STRINGS + "&saeClamp=4&maxNewTokens=10"));
        browser.wait.until(d -> browser.byTestId("sae-steer").isEnabled());
        browser.byTestId("sae-steer").click();
        WebElement status = browser.byTestId("sae-steer-status");
        browser.wait.until(d -> status.getText().startsWith("done"));
        String baseline = browser.byTestId("sae-steer-baseline").getText();
        String steered = browser.byTestId("sae-steer-steered").getText();
        assertTrue(baseline.startsWith("def greet(name):") && steered.startsWith("def greet(name):"), baseline + " | " + steered);
        assertTrue(!baseline.equals(steered), "the clamp changed the continuation: " + steered);
        browser.screenshotOf("sae-steer", "sae-steer");
    }
}

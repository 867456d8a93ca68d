package phiscope.probes.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.Phi;
import phiscope.engine.hooks.ActivationCache;
import phiscope.probes.Nanophi;
import phiscope.probes.Progress;

/** Dashboards of the shipped SAE on a small text, checked against the SAE's own activations and an independent unembedding. */
class FeatureDashboardsTest {

    private static final String TEXT = "def area(radius):\n    return 3.14159 * radius ** 2\n\n\nprint('area', area(2.0))\n"
            + "names = ['ada', 'grace', 'alan']\nfor name in names:\n    print(name.title())\n";

    @Test
    void everyPageAgreesWithTheSaeAndTheUnembedding(@TempDir Path dir) throws IOException {
        Phi phi = Nanophi.phi();
        SparseAutoencoder sae = SparseAutoencoder.load(ShippedSaeTest.SHIPPED);
        Path corpus = Files.writeString(dir.resolve("corpus.py"), TEXT);
        JsonNode dashboards = FeatureDashboards.build(phi, sae, Corpus.open(corpus, phi::encode, 128), 10_000,
                FeatureDashboards.Settings.DEFAULT, Progress.NONE);
        int[] ids = phi.encode(TEXT);
        assertEquals(ids.length, dashboards.get("tokens").asLong());

        ActivationCache cache = ActivationCache.withBudget(1L << 26, ActivationCache.Precision.F32);
        var hooks = phi.newHooks();
        SaeSplice.attach(hooks, sae, SaeSplice.Output.WITH_ERROR).record(cache, "", "hook_sae_acts_post");
        phi.run(ids, hooks);
        ActivationCache.Entry acts = cache.get(sae.config().hookName() + ".hook_sae_acts_post");

        assertEquals(sae.dSae(), dashboards.get("features").size());
        int pagesWithContexts = 0;
        for (JsonNode page : dashboards.get("features")) {
            int f = page.get("feature").asInt();
            int firing = 0;
            float max = 0f;
            for (int t = 0; t < ids.length; t++) {
                firing += acts.get(t, f) > 0 ? 1 : 0;
                max = Math.max(max, acts.get(t, f));
            }
            assertEquals((double) firing / ids.length, page.get("density").asDouble(), 1e-12, "density of " + f);
            int counted = 0;
            for (JsonNode c : page.get("histogram").get("counts")) {
                counted += c.asInt();
            }
            assertEquals(firing, counted, "histogram of " + f);
            JsonNode top = page.get("top");
            assertEquals(Math.min(10, firing), top.size());
            if (firing > 0) {
                pagesWithContexts++;
                assertEquals(max, top.get(0).get("activation").floatValue(), "the first context is the largest activation of " + f);
                JsonNode first = top.get(0);
                assertEquals(max, first.get("values").get(first.get("position").asInt()).floatValue());
            }
            for (int i = 1; i < top.size(); i++) {
                assertTrue(top.get(i - 1).get("activation").asDouble() >= top.get(i).get("activation").asDouble());
            }
        }
        assertTrue(pagesWithContexts >= 32, pagesWithContexts + " features fired");

        // the logit effect of one feature, computed here from lm_head's rows one token at a time
        int feature = 291;
        float[] direction = sae.decoderDirection(feature);
        int d = direction.length;
        double mean = 0;
        for (float v : direction) {
            mean += v / d;
        }
        float[] gamma = phi.model().weights().finalNorm().weight();
        float[] row = new float[d];
        int bestToken = -1;
        double best = Double.NEGATIVE_INFINITY;
        for (int token = 0; token < phi.vocabularyLimit(); token++) {
            phi.model().weights().lmHead().weight().decodeRows(token, 1, row, 0);
            double effect = 0;
            for (int i = 0; i < d; i++) {
                effect += (direction[i] - mean) * gamma[i] * row[i];
            }
            if (effect > best) {
                best = effect;
                bestToken = token;
            }
        }
        JsonNode raised = dashboards.get("features").get(feature).get("positive_logits").get(0);
        assertEquals(bestToken, raised.get("id").asInt());
        assertEquals(best, raised.get("logit").asDouble(), 1e-4);
    }

    @Test
    void thePageDrawsAHistogramAndShadesEveryContextToken(@TempDir Path dir) throws IOException {
        Phi phi = Nanophi.phi();
        SparseAutoencoder sae = SparseAutoencoder.load(ShippedSaeTest.SHIPPED);
        Path corpus = Files.writeString(dir.resolve("corpus.py"), TEXT);
        JsonNode dashboards = FeatureDashboards.build(phi, sae, Corpus.open(corpus, phi::encode, 128), 10_000,
                FeatureDashboards.Settings.DEFAULT, Progress.NONE);
        String html = DashboardPage.html(dashboards);
        long fired = 0;
        for (JsonNode page : dashboards.get("features")) {
            fired += page.get("density").asDouble() > 0 ? 1 : 0;
        }
        assertEquals(fired, html.split("<section ", -1).length - 1, "one section per feature that fired");
        assertEquals(fired, html.split("<svg ", -1).length - 1, "one histogram per section");
        assertTrue(html.contains("<span class=\"hit\""));
        assertTrue(!html.contains("<script"), "the page is static");
    }
}

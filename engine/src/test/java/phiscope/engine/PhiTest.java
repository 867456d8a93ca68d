package phiscope.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import phiscope.engine.model.Generator;
import phiscope.engine.model.Sampler;

/** The bundled model end to end: text in, the Hugging Face greedy continuations out. */
class PhiTest {

    private static Phi phi;

    @BeforeAll
    static void load() {
        phi = Phi.load(Fixtures.NANOPHI, 2);
    }

    @AfterAll
    static void close() {
        phi.close();
    }

    @Test
    void greedyContinuationsAreTheReferenceOnes() throws IOException {
        JsonNode samples = new ObjectMapper().readTree(Fixtures.NANOPHI.resolve("training.json").toFile()).get("samples");
        assertEquals(5, samples.size());
        for (Map.Entry<String, JsonNode> sample : samples.properties()) {
            int[] prompt = phi.encode(sample.getKey());
            List<String> pieces = new ArrayList<>();
            Generator.TextStream stream = new Generator.TextStream(phi::decode);
            Generator.Result result = phi.generate(prompt, 40, Sampler.Settings.GREEDY, id -> pieces.add(stream.add(id)));
            pieces.add(stream.finish());
            assertEquals(sample.getValue().asText(), phi.decode(result.tokens()), sample.getKey());
            assertEquals(sample.getValue().asText(), String.join("", pieces), "streamed text of " + sample.getKey());
            assertEquals(Generator.Stop.MAX_TOKENS, result.stop());
        }
    }

    @Test
    void samplingIsSeededAndNeverPicksPaddingIds() {
        int[] prompt = phi.encode("import os\n");
        Sampler.Settings settings = new Sampler.Settings(1.5, 0, 1, 42);
        int[] first = phi.generate(prompt, 30, settings, id -> true).tokens();
        int[] again = phi.generate(prompt, 30, settings, id -> true).tokens();
        assertArrayEquals(first, again);
        int[] other = phi.generate(prompt, 30, new Sampler.Settings(1.5, 0, 1, 43), id -> true).tokens();
        assertTrue(!java.util.Arrays.equals(first, other), "another seed gives another sample");
        // Make padding rows irresistible: they still must not be generated.
        float[] logits = new float[51200];
        java.util.Arrays.fill(logits, 50295, 51200, 100f);
        logits[7] = 1f;
        assertEquals(7, new Sampler(Sampler.Settings.GREEDY, phi.vocabularyLimit()).next(logits));
        Sampler sampler = new Sampler(new Sampler.Settings(1, 0, 1, 1), phi.vocabularyLimit());
        for (int i = 0; i < 200; i++) {
            assertTrue(sampler.next(logits) < 50295);
        }
        assertEquals(50295, phi.vocabularyLimit());
    }

    @Test
    void topKOneIsGreedyAndTheListenerCanStop() {
        int[] prompt = phi.encode("class Linear(nn.Module):\n    def __init__(self");
        int[] greedy = phi.generate(prompt, 12, Sampler.Settings.GREEDY, id -> true).tokens();
        int[] topOne = phi.generate(prompt, 12, new Sampler.Settings(0.8, 1, 1, 9), id -> true).tokens();
        assertArrayEquals(greedy, topOne);
        Generator.Result stopped = phi.generate(prompt, 12, Sampler.Settings.GREEDY, id -> false);
        assertEquals(1, stopped.tokens().length);
        assertEquals(Generator.Stop.CANCELLED, stopped.stop());
    }

    @Test
    void promptsThatFillTheContextAreRefused() {
        int[] full = new int[phi.config().maxPositions()];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> phi.generate(full, 1, Sampler.Settings.GREEDY, id -> true));
        assertTrue(e.getMessage().contains("the model's context is 2048 tokens"), e.getMessage());
        int[] almost = new int[phi.config().maxPositions() - 2];
        Generator.Result result = phi.generate(almost, 10, Sampler.Settings.GREEDY, id -> true);
        assertEquals(2, result.tokens().length);
        assertEquals(Generator.Stop.CONTEXT_FULL, result.stop());
    }
}

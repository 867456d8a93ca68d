package phiscope.probes.steering;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.Phi;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.model.PhiModel;
import phiscope.engine.model.Sampler;
import phiscope.probes.ActivationCollector;
import phiscope.probes.Nanophi;
import phiscope.probes.Pooling;
import phiscope.probes.Progress;
import tech.tablesaw.api.Table;

class SteeringTest {

    private final Phi phi = Nanophi.phi();
    private final HookPoint point = HookPoint.inBlock(1, HookSite.RESID_PRE);
    private final List<String> prose = List.of("The garden was quiet in the evening.", "We walked along the beach at dawn.");
    private final List<String> code = List.of("for i in range(3):\n    print(i)", "import os\nimport sys");

    @Test
    void differenceOfMeansIsTheDifferenceOfTheMeans() {
        SteeringVector v = SteeringVector.differenceOfMeans(phi, List.of(point), prose, code, Pooling.MEAN, Progress.NONE).get(point);
        Map<HookPoint, float[][]> x = ActivationCollector.collect(phi, List.of(prose.get(0), prose.get(1), code.get(0), code.get(1)),
                List.of(point), Pooling.MEAN, Progress.NONE);
        float[][] f = x.get(point);
        for (int j = 0; j < v.width(); j++) {
            double expected = (f[0][j] + f[1][j]) / 2.0 - (f[2][j] + f[3][j]) / 2.0;
            assertEquals(expected, v.rows()[0][j], 1e-5);
        }
        assertEquals(1, v.rows().length);
    }

    @Test
    void theHookAddsExactlyTheScaledVectorAndZeroChangesNothing() {
        SteeringVector v = SteeringVector.differenceOfMeans(phi, List.of(point), prose, code, Pooling.LAST, Progress.NONE).get(point);
        int[] ids = phi.encode("x = compute(data)");
        float[] plain = phi.model().forward(ids, PhiModel.Logits.ALL);
        assertArrayEquals(plain, phi.model().forward(ids, v.addTo(phi.newHooks(), 0), PhiModel.Logits.ALL));

        Hooks base = phi.newHooks();
        ActivationCache before = ActivationCache.capture(base, point.name());
        phi.model().forward(ids, base, PhiModel.Logits.NONE);
        Hooks steered = v.addTo(phi.newHooks(), 2.5);
        ActivationCache after = ActivationCache.capture(steered, point.name());
        assertNotEquals(plain[plain.length - 1], phi.model().forward(ids, steered, PhiModel.Logits.ALL)[plain.length - 1]);
        float[] a = before.get(point.name()).data();
        float[] b = after.get(point.name()).data();
        int d = v.width();
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i] + 2.5f * v.rows()[0][i % d], b[i], 1e-6);
        }
    }

    @Test
    void actAddSteersOnlyTheFirstPositionsAlsoDuringGeneration(@TempDir Path dir) {
        SteeringVector v = SteeringVector.actAdd(phi, point, "Once upon a time", "import numpy");
        int n = v.rows().length;
        assertEquals(Math.max(phi.encode("Once upon a time").length, phi.encode("import numpy").length), n);
        int[] ids = phi.encode("def main():\n    value = load(path)\n    return value");
        assertTrue(ids.length > n);
        Hooks base = phi.newHooks();
        ActivationCache before = ActivationCache.capture(base, point.name());
        phi.model().forward(ids, base, PhiModel.Logits.NONE);
        Hooks steered = v.addTo(phi.newHooks(), 1);
        ActivationCache after = ActivationCache.capture(steered, point.name());
        phi.model().forward(ids, steered, PhiModel.Logits.NONE);
        float[] a = before.get(point.name()).data();
        float[] b = after.get(point.name()).data();
        int d = v.width();
        for (int t = 0; t < ids.length; t++) {
            for (int j = 0; j < d; j++) {
                float expected = a[t * d + j] + (t < n ? v.rows()[t][j] : 0f);
                assertEquals(expected, b[t * d + j], 1e-6, "position " + t);
            }
        }
        // Generating, the prompt is one pass and each new token one of its own: the rows follow the absolute positions.
        int[] prompt = phi.encode("def");
        assertTrue(prompt.length < n, "decode steps at steered positions");
        Hooks generating = v.addTo(phi.newHooks(), 1);
        List<int[]> firedPositions = new ArrayList<>();
        List<float[]> firedRows = new ArrayList<>();
        generating.observe(point, act -> {
            firedPositions.add(act.positions());
            firedRows.add(Arrays.copyOfRange(act.data(), act.offset(), act.offset() + act.size()));
        });
        int[] continuation = phi.generate(prompt, n + 3, Sampler.Settings.GREEDY, generating, id -> true).tokens();
        int[] sequence = IntStream.concat(Arrays.stream(prompt), Arrays.stream(continuation)).toArray();
        Hooks plain = phi.newHooks();
        ActivationCache unsteered = ActivationCache.capture(plain, point.name());
        phi.model().forward(sequence, plain, PhiModel.Logits.NONE);
        float[] plainRows = unsteered.get(point.name()).data();
        int next = 0;
        for (int f = 0; f < firedPositions.size(); f++) {
            for (int r = 0; r < firedPositions.get(f).length; r++, next++) {
                int position = firedPositions.get(f)[r];
                assertEquals(next, position, "the positions of the passes follow each other");
                for (int j = 0; j < d; j++) {
                    float expected = plainRows[position * d + j] + (position < n ? v.rows()[position][j] : 0f);
                    assertEquals(expected, firedRows.get(f)[r * d + j], 1e-6, "generating, position " + position);
                }
            }
        }
        assertEquals(sequence.length - 1, next, "every token but the last generated one went through the model");
        // Saved and loaded: the same rows, hook and method.
        v.save(dir.resolve("vec"));
        SteeringVector loaded = SteeringVector.load(dir.resolve("vec.json"));
        assertEquals(v.hook(), loaded.hook());
        assertEquals("actadd", loaded.method());
        for (int t = 0; t < n; t++) {
            assertArrayEquals(v.rows()[t], loaded.rows()[t]);
        }
        assertEquals("Once upon a time", loaded.provenance().get("plus"));
        Steering.Comparison c = Steering.compare(phi, loaded, 0, "def main():\n", 8, Sampler.Settings.GREEDY);
        assertEquals(c.baseline(), c.steered(), "coefficient 0 leaves generation alone");
        assertThrows(IllegalArgumentException.class, () -> SteeringVector.actAdd(phi, HookPoint.inBlock(0, HookSite.PATTERN), "a", "b"));
    }

    @Test
    void theSweepMeasuresEveryLayerAndCoefficient() {
        Map<HookPoint, SteeringVector> vectors = SteeringVector.differenceOfMeans(phi,
                List.of(HookPoint.inBlock(0, HookSite.RESID_PRE), point), prose, code, Pooling.MEAN, Progress.NONE);
        BehaviourMetric metric = new BehaviourMetric(List.of("The weather today"), List.of(" was sunny."), List.of("(self):\n        pass"));
        double unsteered = metric.measure(phi, phi.newHooks());
        Table sweep = Steering.sweep(phi, new int[] {0, 1}, l -> vectors.get(HookPoint.inBlock(l, HookSite.RESID_PRE)),
                new double[] {0, 4}, metric, Progress.NONE);
        assertEquals(4, sweep.rowCount());
        assertEquals(0.0, sweep.doubleColumn("change").getDouble(0));
        assertEquals(Math.round(unsteered * 10000) / 10000.0, sweep.doubleColumn("metric").getDouble(0));
        assertTrue(sweep.doubleColumn("change").getDouble(1) > 0.5, "steering towards prose favours the prose completion: " + sweep.print());
    }

    @Test
    void sitesAreNamedAsTheCommandsNameThem() {
        assertEquals(List.of(HookSite.RESID_PRE, HookSite.RESID_POST, HookSite.ATTN_OUT, HookSite.MLP_OUT),
                SteeringVector.SITES.stream().map(SteeringVector::site).toList());
        assertEquals(HookSite.RESID_PRE, SteeringVector.site("hook_resid_pre"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> SteeringVector.site("mlp_post"));
        assertTrue(unknown.getMessage().contains("choose resid_pre, resid_post, attn_out, mlp_out"), unknown.getMessage());
    }
}

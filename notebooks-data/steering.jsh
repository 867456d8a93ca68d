// Steering a Python model towards English prose.
//
// A difference-of-means vector (mean hook_resid_pre over prose texts minus over code texts) is
// added to a block's input at every position, during the prompt and every generated token.
// A behaviour metric (log-prob of prose continuations minus code continuations) is swept over
// layers x coefficients; ActAdd (one prompt pair) is the cheap alternative.
//
//   ./phiscope script notebooks-data/steering.jsh [--model DIR]

import java.nio.file.Files;
import java.util.List;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.model.Sampler;
import phiscope.probes.Pooling;
import phiscope.probes.Progress;
import phiscope.probes.data.ProbingDataset;
import phiscope.probes.steering.BehaviourMetric;
import phiscope.probes.steering.Steering;
import phiscope.probes.steering.SteeringVector;
import phiscope.probes.script.Notebook;

var phi = Notebook.loadModel();
var data = ProbingDataset.load(Notebook.data("code-vs-prose/code-vs-prose.jsonl"));
var prose = data.examples().stream().filter(e -> e.label().equals("prose")).map(e -> e.text()).toList();
var code = data.examples().stream().filter(e -> e.label().equals("code")).map(e -> e.text()).toList();
int layers = phi.config().numLayers();
var points = java.util.stream.IntStream.range(0, layers).mapToObj(l -> HookPoint.inBlock(l, HookSite.RESID_PRE)).toList();
var vectors = SteeringVector.differenceOfMeans(phi, points, prose, code, Pooling.MEAN, Progress.NONE);
for (var v : vectors.values()) {
    System.out.printf("%s: norm %.3f%n", v.hook(), v.norm());
}

// 1. Baseline and steered greedy continuations (block 1, coefficient 2).
var vector = vectors.get(points.get(Math.min(1, layers - 1)));
var prompts = List.of("The weather today", "My favourite food is", "def main():\n");
var comparisons = prompts.stream().map(p -> Steering.compare(phi, vector, 2, p, 20, Sampler.Settings.GREEDY)).toList();
Notebook.show("Baseline vs steered (" + vector.hook() + ", coefficient 2)", Steering.comparisons(comparisons));

// 2. The behaviour metric over layers x coefficients: positive coefficients should raise it.
var metric = new BehaviourMetric(List.of("The weather today", "My favourite food is", "Yesterday"),
        List.of(" was sunny, so we walked to the river.", " and the children played in the garden."),
        List.of("(self):\n        return None", " = [x for x in data]"));
int[] sweepLayers = java.util.stream.IntStream.range(0, layers).toArray();
var sweep = Steering.sweep(phi, sweepLayers, l -> vectors.get(points.get(l)), new double[] {-4, -2, 0, 2, 4}, metric, Progress.NONE);
Notebook.show("Steering sweep", sweep);

// 3. ActAdd: one prompt pair, added at the first positions only; saved and loaded back.
var actAdd = SteeringVector.actAdd(phi, points.get(Math.min(1, layers - 1)), "Once upon a time", "import numpy as np");
var dir = Files.createTempDirectory("phiscope-steer");
actAdd.save(dir.resolve("story"));
var loaded = SteeringVector.load(dir.resolve("story"));
System.out.printf("%nActAdd vector: %d rows on %s, saved and loaded (norm %.3f)%n", loaded.rows().length, loaded.hook(), loaded.norm());
Notebook.show("ActAdd, coefficient 4", Steering.comparisons(List.of(
        Steering.compare(phi, loaded, 4, "def main():\n", 20, Sampler.Settings.GREEDY))));
phi.close();

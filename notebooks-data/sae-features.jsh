// Sparse autoencoder features: train a small SAE, find the feature that fires inside Python
// string literals, and steer generation with it.
//
// Part 1 trains a 256-feature TopK SAE on the code texts of code-vs-prose (a few thousand tokens:
// enough to show the API, too few for a good SAE). Parts 2 and 3 use the SAE shipped with
// nanophi-py (models/nanophi-py/saes/python-topk32-resid2, 3.4M tokens of CPython's library).
//
//   ./phiscope script notebooks-data/sae-features.jsh [--model DIR]

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.model.Sampler;
import phiscope.probes.Progress;
import phiscope.probes.data.ProbingDataset;
import phiscope.probes.sae.Corpus;
import phiscope.probes.sae.SaeConfig;
import phiscope.probes.sae.SaeEvaluation;
import phiscope.probes.sae.SaeSplice;
import phiscope.probes.sae.SaeTrainer;
import phiscope.probes.sae.SaeTraining;
import phiscope.probes.sae.SparseAutoencoder;
import phiscope.probes.script.Notebook;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

var phi = Notebook.loadModel();
String hook = "blocks.2.hook_resid_post";
var data = ProbingDataset.load(Notebook.data("code-vs-prose/code-vs-prose.jsonl"));
var code = data.examples().stream().filter(e -> e.label().equals("code")).map(e -> e.text()).toList();

// 1. Train a small TopK SAE on the code texts (one JSON string per line is a corpus too).
var dir = Files.createTempDirectory("phiscope-sae");
var json = new ObjectMapper();
var lines = new ArrayList<String>();
for (String text : code) {
    lines.add(json.writeValueAsString(text));
}
Files.write(dir.resolve("code.jsonl"), lines);
var settings = new SaeTrainer.Settings(hook, SaeConfig.Architecture.TOPK, 256, 8, 0f, 0f, 0f, 3e-3f, 128, 100_000, 10_000, 0);
var trained = SaeTraining.run(phi, settings, new SaeTraining.Options(dir.resolve("code.jsonl"), dir.resolve("small-sae"), 64, 1024, 100_000),
        Progress.NONE);
var small = SparseAutoencoder.load(trained.folder());
var smallEval = SaeEvaluation.run(phi, small, Corpus.open(dir.resolve("code.jsonl"), phi::encode, 64), 100_000, Progress.NONE);
System.out.printf("trained a %d-feature SAE on %d tokens of code: explained variance %.3f on them, L0 %.1f%n", small.dSae(),
        trained.tokens(), smallEval.explainedVariance(), smallEval.l0());

// 2. With the shipped SAE: which feature fires inside string literals and not outside them?
// The texts: make_datasets.py, whose lists of example sentences are full of string literals, in
// chunks of 30 lines.
var source = Files.readAllLines(Notebook.data("make_datasets.py"));
var chunks = new ArrayList<String>();
for (int i = 0; i < source.size(); i += 30) {
    chunks.add(String.join("\n", source.subList(i, Math.min(source.size(), i + 30))) + "\n");
}
var sae = SparseAutoencoder.load(Notebook.modelDirectory().resolve("saes/python-topk32-resid2"));
int features = sae.dSae();
double[] inside = new double[features];
double[] outside = new double[features];
int insideTokens = 0;
int outsideTokens = 0;
for (String text : chunks) {
    int[] ids = phi.encode(text);
    var hooks = phi.newHooks();
    var cache = ActivationCache.withBudget(1L << 26, ActivationCache.Precision.F32);
    SaeSplice.attach(hooks, sae, SaeSplice.Output.WITH_ERROR).record(cache, "", "hook_sae_acts_post");
    phi.run(ids, hooks);
    var acts = cache.get(hook + ".hook_sae_acts_post");
    // where each token starts in the text, and whether that character is inside a quoted string
    boolean[] quoted = new boolean[text.length() + 1];
    char open = 0;
    for (int c = 0; c < text.length(); c++) {
        char ch = text.charAt(c);
        quoted[c] = open != 0;
        if (open == 0 && (ch == '"' || ch == '\'')) {
            open = ch;
        } else if (open == ch && text.charAt(c - 1) != '\\') {
            open = 0;
        } else if (ch == '\n') {
            open = 0; // no string of this file spans lines
        }
    }
    int start = 0;
    for (int t = 0; t < ids.length; t++) {
        boolean in = start < text.length() && quoted[start];
        for (int f = 0; f < features; f++) {
            double a = acts.get(t, f);
            if (in) {
                inside[f] += a;
            } else {
                outside[f] += a;
            }
        }
        if (in) {
            insideTokens++;
        } else {
            outsideTokens++;
        }
        start = phi.decode(java.util.Arrays.copyOf(ids, t + 1)).length();
    }
    cache.close();
}
int best = 0;
for (int f = 0; f < features; f++) {
    double score = inside[f] / insideTokens - outside[f] / outsideTokens;
    if (score > inside[best] / insideTokens - outside[best] / outsideTokens) {
        best = f;
    }
}
var table = Table.create("The string-literal feature", StringColumn.create("where"), IntColumn.create("tokens"),
        DoubleColumn.create("mean activation"));
table.stringColumn("where").append("inside a string").append("outside");
table.intColumn("tokens").append(insideTokens).append(outsideTokens);
table.doubleColumn("mean activation").append(inside[best] / insideTokens).append(outside[best] / outsideTokens);
Notebook.show("Feature " + best + " of " + hook + " (the largest inside-minus-outside mean)", table);

// 3. Steer: clamp the feature on at every position of the prompt and of every generated token.
int feature = best;
float clamp = (float) (4 * inside[best] / insideTokens);
String prompt = "def greet(name):\n    print(";
var baseline = phi.decode(phi.generate(phi.encode(prompt), 16, Sampler.Settings.GREEDY, id -> true).tokens());
var steeredHooks = phi.newHooks();
SaeSplice.attach(steeredHooks, sae, SaeSplice.Output.WITH_ERROR).clamp(feature, clamp);
var steered = phi.decode(phi.generate(phi.encode(prompt), 16, Sampler.Settings.GREEDY, steeredHooks, id -> true).tokens());
var comparison = Table.create("Greedy continuations", StringColumn.create("run"), StringColumn.create("continuation"));
comparison.stringColumn("run").append("baseline").append("feature " + feature + " clamped at " + String.format("%.2f", clamp));
comparison.stringColumn("continuation").append(baseline.replace("\n", "\\n")).append(steered.replace("\n", "\\n"));
Notebook.show("Steering with the string-literal feature", comparison);
phi.close();

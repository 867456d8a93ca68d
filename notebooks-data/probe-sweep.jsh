// A linear probe sweep: where in the residual stream can a linear classifier read sentiment?
//
// For every block, train an L2 logistic-regression probe (and a difference-of-means probe) on the
// mean-pooled hook_resid_post of the sentiment dataset, holding out whole topics (split by group),
// and report held-out accuracy and AUROC. Then score a new sentence token by token with the best probe.
//
//   ./phiscope script notebooks-data/probe-sweep.jsh [--model DIR]

import java.nio.file.Files;
import phiscope.engine.hooks.HookSelector;
import phiscope.probes.Pooling;
import phiscope.probes.Progress;
import phiscope.probes.data.ProbingDataset;
import phiscope.probes.linear.LinearProbe;
import phiscope.probes.linear.ProbeKind;
import phiscope.probes.linear.ProbeSweep;
import phiscope.probes.linear.ProbeTrainer;
import phiscope.probes.linear.TokenScores;
import phiscope.probes.script.Notebook;
import tech.tablesaw.api.*;

var phi = Notebook.loadModel();
var data = ProbingDataset.load(Notebook.data("sentiment/sentiment.jsonl"));
var split = data.splitByGroup(0.3, 0);
System.out.printf("%d examples, classes %s: %d train / %d test, whole topics held out%n", data.size(), data.classes(),
        split.train().length, split.test().length);
var hooks = HookSelector.parse("blocks.*.hook_resid_post").points(phi.config());

// 1. Logistic regression (L2 = 0.01 on standardised features).
var logistic = ProbeSweep.run(phi, data, split, hooks, Pooling.MEAN, new ProbeTrainer(ProbeKind.LOGISTIC, 0.01), Progress.NONE);
Notebook.show("Logistic probes", logistic.table());

// 2. Difference of means: no fitting at all, often nearly as good.
var means = ProbeSweep.run(phi, data, split, hooks, Pooling.MEAN, new ProbeTrainer(ProbeKind.DIFFERENCE_OF_MEANS, 0), Progress.NONE);
Notebook.show("Difference-of-means probes", means.table());

// 3. The best logistic probe, saved and loaded back (NAME.json + NAME.safetensors), reading a new
//    review token by token: p_positive is what the probe says had the text ended at that token.
var best = logistic.best();
System.out.printf("%nbest hook: %s (accuracy %.3f, AUROC %.3f)%n", best.hook(), best.accuracy(), best.auroc());
var dir = Files.createTempDirectory("phiscope-probe");
logistic.probes().get(best.hook()).save(dir.resolve("sentiment"), null);
var probe = LinearProbe.load(dir.resolve("sentiment"));
var table = Table.create("p(positive) per token", IntColumn.create("position"), StringColumn.create("token"), DoubleColumn.create("p_positive"));
for (var s : TokenScores.score(phi, probe, "The hotel was dreadful at first, but the staff were wonderful.")) {
    table.intColumn("position").append(s.position());
    table.stringColumn("token").append("'" + s.token() + "'");
    table.doubleColumn("p_positive").append(Math.round(s.probabilities()[1] * 1000) / 1000.0);
}
Notebook.show("Token-by-token probe scores", table);
phi.close();

// Induction heads in the bundled model (or --model DIR).
//
// An induction head attends from a token to the token that FOLLOWED its previous occurrence, and
// copies it: "... A B ... A" -> predicts "B". The classic test feeds random tokens repeated twice,
// [bos] r r, where only induction can help predict the second copy.
//
//   ./phiscope script notebooks-data/induction-heads.jsh [--model DIR]

import java.nio.file.Files;
import java.util.Comparator;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.hooks.IndexSlice;
import phiscope.probes.Progress;
import phiscope.probes.heads.HeadDetector;
import phiscope.probes.patching.Ablation;
import phiscope.probes.script.Notebook;

var phi = Notebook.loadModel();
System.out.println("model: " + Notebook.modelDirectory() + " (" + phi.config().numLayers() + " blocks x " + phi.config().numHeads() + " heads)");

// 1. Random tokens from the whole vocabulary: 8 sequences of 2 x 32 tokens after <|endoftext|>.
var whole = HeadDetector.run(phi.model(), HeadDetector.vocabulary(phi.vocabularyLimit()), 32, 8, 0, phi.endOfText(), phi::newHooks, Progress.NONE);
Notebook.show("Head scores, random tokens from the whole vocabulary", whole.table());
System.out.printf("loss per token: first copy %.3f nats, repeated copy %.3f nats%n", whole.firstCopyLoss(), whole.secondCopyLoss());

// 2. A small model knows only the tokens of its training data well; draw from tokens that occur in
//    Python code instead (the code half of the code-vs-prose dataset).
var code = Files.readAllLines(Notebook.data("code-vs-prose/code-vs-prose.jsonl")).stream()
        .filter(line -> line.contains("\"label\": \"code\"")).reduce("", String::concat);
int[] pool = HeadDetector.distinct(phi.encode(code));
var known = HeadDetector.run(phi.model(), pool, 32, 8, 0, phi.endOfText(), phi::newHooks, Progress.NONE);
Notebook.show("Head scores, random tokens seen in Python code (" + pool.length + " distinct ids)", known.table());
System.out.printf("loss per token: first copy %.3f nats, repeated copy %.3f nats%n", known.firstCopyLoss(), known.secondCopyLoss());

// 3. The strongest induction head, and what zero-ablating it (hook_z, every position) does to the
//    loss on the repeated copy: if the head does induction, that loss should go up.
var top = known.top(Comparator.comparingDouble(HeadDetector.HeadScore::induction), 1).getFirst();
System.out.printf("%nstrongest induction head: L%dH%d (induction score %.3f)%n", top.layer(), top.head(), top.induction());
var ablation = Ablation.zero(HookPoint.inBlock(top.layer(), HookSite.Z), new int[] {top.head()}, IndexSlice.ALL, phi.model());
var ablated = HeadDetector.run(phi.model(), pool, 32, 8, 0, phi.endOfText(),
        () -> phi.newHooks().add(ablation.point(), ablation), Progress.NONE);
System.out.printf("repeated-copy loss: %.3f nats with the head, %.3f without it%n", known.secondCopyLoss(), ablated.secondCopyLoss());

// 4. The head's own pattern on one repeated sequence: from each token of the second copy, how much
//    attention goes to the token after that token's first occurrence, 31 positions back?
var random = new java.util.Random(1);
int[] repeated = new int[1 + 2 * 32];
repeated[0] = phi.endOfText();
for (int i = 0; i < 32; i++) {
    repeated[1 + i] = repeated[33 + i] = pool[random.nextInt(pool.length)];
}
String patternHook = "blocks." + top.layer() + ".attn.hook_pattern";
var pattern = phi.runWithCache(repeated, patternHook + "[head=" + top.head() + "]").cache().get(patternHook);   // [1, T, T]
double onTarget = 0;
for (int q = 33; q < repeated.length; q++) {
    onTarget += pattern.get(0, q, q - 31);
}
System.out.printf("L%dH%d puts %.3f of its attention, on average, on the token after the earlier occurrence%n",
        top.layer(), top.head(), onTarget / 32);
phi.close();

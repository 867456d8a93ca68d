// Activation patching on a code completion: how does the model know which argument comes next?
//
//   clean:     def add(first, second):\n    return first +   -> " second"
//   corrupted: def add(first, last):\n    return first +     -> " last"
//
// Run the corrupted prompt, paste in one clean activation (one block, one position, one site),
// and measure logit(" second") - logit(" last"), normalised so 1 = clean and 0 = corrupted.
// Then direct logit attribution says which heads write the answer into the logits.
//
//   ./phiscope script notebooks-data/activation-patching.jsh [--model DIR]

import phiscope.engine.hooks.HookSite;
import phiscope.probes.Progress;
import phiscope.probes.lens.DirectLogitAttribution;
import phiscope.probes.patching.ActivationPatching;
import phiscope.probes.patching.LogitDifference;
import phiscope.probes.script.Notebook;
import phiscope.probes.steering.Steering;

var phi = Notebook.loadModel();
int[] clean = phi.encode("def add(first, second):\n    return first +");
int[] corrupted = phi.encode("def add(first, last):\n    return first +");
int second = phi.encode(" second")[0];
int last = phi.encode(" last")[0];
var patching = new ActivationPatching(phi.model(), clean, corrupted, new LogitDifference(second, last));
System.out.printf("logit(' second') - logit(' last'): clean %.3f, corrupted %.3f%n", patching.cleanMetric(), patching.corruptedMetric());

// 1. Layer x position, for the block input and the attention and MLP outputs.
var sweep = patching.sweepPositions(ActivationPatching.POSITION_SITES, id -> Steering.visible(phi.decode(new int[] {id})), Progress.NONE);
for (var site : ActivationPatching.POSITION_SITES) {
    var one = sweep.where(sweep.stringColumn("site").isEqualTo(site.suffix()));
    Notebook.show("Patched " + site.suffix(), ActivationPatching.heatmap(one, site.suffix(), "position"));
}

// 2. Layer x head: each head's hook_z at every position.
Notebook.show("Patched attn.hook_z per head", ActivationPatching.heatmap(patching.sweepHeads(Progress.NONE), "heads", "head"));

// 3. Direct logit attribution on the clean prompt: every head, attention bias and MLP, plus the
//    constant terms, add up to the model's logit difference.
var dla = DirectLogitAttribution.compute(phi.model(), clean, clean.length - 1, second, last);
Notebook.show("Direct logit attribution", dla.table());
System.out.printf("contributions sum to %.5f; the model's logit difference is %.5f%n", dla.total(), dla.modelLogitDifference());
phi.close();

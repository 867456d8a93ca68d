// The activation cache: pick activations with selectors, price them against a budget before
// running, keep them off-heap in float16, check the residual identity, and save them for Python.
//
//   ./phiscope script notebooks-data/activation-cache.jsh [--model DIR]
//
// In Python:  from safetensors.numpy import load_file; t = load_file(path)  # keys = hook names

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import phiscope.engine.ByteSize;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.CacheBudgetException;
import phiscope.engine.hooks.HookSelector;
import phiscope.engine.hooks.ResidualCheck;
import phiscope.probes.script.Notebook;
import tech.tablesaw.api.*;

var phi = Notebook.loadModel();
int[] tokens = phi.encode("def fibonacci(n):\n    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)");
var selection = HookSelector.parseAll(List.of("blocks.*.hook_resid_post", "blocks.1.attn.hook_pattern[head=0,2]",
        "blocks.*.mlp.hook_post[pos=-1]", "blocks.0:2.attn.hook_z[pos=-3:]"));
System.out.printf("%d tokens; the selection needs %s in float32, %s in float16%n", tokens.length,
        ByteSize.format(ActivationCache.bytesNeeded(selection, phi.config(), ActivationCache.Precision.F32, tokens.length)),
        ByteSize.format(ActivationCache.bytesNeeded(selection, phi.config(), ActivationCache.Precision.F16, tokens.length)));

// 0. The quick way, as TransformerLens's run_with_cache: the logits [T, V] and a float32 cache of
//    what the selectors pick, in one call. Entries are read by index, not by offset arithmetic.
var run = phi.runWithCache(tokens, "blocks.*.hook_resid_post", "blocks.1.attn.hook_pattern[head=0,2]");
int lastToken = tokens.length - 1;
float[] residual = run.cache().get("blocks.0.hook_resid_post").row(lastToken);   // [d_model] at the last token
var pattern = run.cache().get("blocks.1.attn.hook_pattern");                      // [2, T, T]: heads 0 and 2
System.out.printf("run_with_cache: logits for %d positions; resid_post of block 0 at the last token has %d numbers%n",
        run.logits().length / phi.config().vocabSize(), residual.length);
int[] heads = {0, 2};                                                            // the selected heads, in order
for (int h = 0; h < heads.length; h++) {
    int strongest = 0;
    for (int k = 1; k <= lastToken; k++) {
        if (pattern.get(h, lastToken, k) > pattern.get(h, lastToken, strongest)) {
            strongest = k;
        }
    }
    System.out.printf("  L1H%d attends most from the last token to position %d, '%s' (%.3f)%n", heads[h], strongest,
            phi.decode(new int[] {tokens[strongest]}), pattern.get(h, lastToken, strongest));
}

// 1. A budget too small is refused before anything runs, with what the selection needs.
try (var tiny = ActivationCache.withBudget(16 * 1024, ActivationCache.Precision.F16)) {
    tiny.requireFits(selection, phi.config(), tokens.length);
} catch (CacheBudgetException e) {
    System.out.println("refused: " + e.getMessage());
}

// 2. Within budget: record, run, check the residual stream, list, save.
var path = Files.createTempDirectory("phiscope-cache").resolve("fibonacci.safetensors");
try (var cache = ActivationCache.withBudget(64L << 20, ActivationCache.Precision.F16)) {
    cache.requireFits(selection, phi.config(), tokens.length);
    var hooks = phi.newHooks();
    var check = ResidualCheck.attach(hooks);
    cache.record(hooks, selection, "");
    phi.run(tokens, hooks);
    System.out.println(check.report());
    var table = Table.create("cached", StringColumn.create("name"), StringColumn.create("shape"));
    for (var name : cache.names()) {
        table.stringColumn("name").append(name);
        table.stringColumn("shape").append(java.util.Arrays.toString(cache.shape(name)));
    }
    Notebook.show("Cache contents (" + ByteSize.format(cache.usedBytes()) + ", float16)", table);
    cache.save(path, Map.of("prompt", phi.decode(tokens)));
}
try (var loaded = ActivationCache.load(path, 64L << 20)) {
    System.out.println("loaded back " + loaded.names().size() + " tensors from " + path.getFileName());
}

// 3. A hook that writes hook_resid_post breaks the identity, and the check says where.
var steered = phi.newHooks();
var check = ResidualCheck.attach(steered);
steered.add("blocks.2.hook_resid_post", a -> a.set(a.get(0, 0) + 1f, 0, 0));
phi.run(tokens, steered);
System.out.println(check.report());
phi.close();

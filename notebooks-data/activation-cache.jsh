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
import phiscope.engine.model.PhiModel;
import phiscope.probes.script.Notebook;
import tech.tablesaw.api.*;

var phi = Notebook.loadModel();
int[] tokens = phi.encode("def fibonacci(n):\n    if n < 2:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)");
var selection = HookSelector.parseAll(List.of("blocks.*.hook_resid_post", "blocks.1.attn.hook_pattern[head=0,2]",
        "blocks.*.mlp.hook_post[pos=-1]", "blocks.0:2.attn.hook_z[pos=-3:]"));
System.out.printf("%d tokens; the selection needs %s in float32, %s in float16%n", tokens.length,
        ByteSize.format(ActivationCache.bytesNeeded(selection, phi.config(), ActivationCache.Precision.F32, tokens.length)),
        ByteSize.format(ActivationCache.bytesNeeded(selection, phi.config(), ActivationCache.Precision.F16, tokens.length)));

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
    phi.model().forward(tokens, hooks, PhiModel.Logits.NONE);
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
phi.model().forward(tokens, steered, PhiModel.Logits.NONE);
System.out.println(check.report());
phi.close();

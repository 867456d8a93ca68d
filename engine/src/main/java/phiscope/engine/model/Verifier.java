package phiscope.engine.model;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.io.ModelFormatException;
import phiscope.engine.io.SafeTensorsFile;
import phiscope.engine.io.Tensor;

/**
 * Compares the engine with a Hugging Face reference file (see {@code engine/src/test/resources/fixtures/README.md}):
 * for each sequence {@code s{k}}, every recorded activation and the logits of a prefill, the
 * greedy continuation, and the KV-cached decode of the greedy tokens row by row.
 */
public final class Verifier {

    /** Allowed absolute errors. */
    public record Tolerances(double activations, double logits, double greedyMargin) {
        public static final Tolerances DEFAULT = new Tolerances(1e-4, 1e-4, 1e-3);
    }

    /** One compared tensor: its name, max abs error and verdict; {@code note} explains a failure that is not numeric. */
    public record Check(String name, double maxAbsError, boolean passed, String note) {
        @Override
        public String toString() {
            return String.format("%-44s max abs error %.3e  %s%s", name, maxAbsError, passed ? "ok" : "FAIL",
                    note.isEmpty() ? "" : "  (" + note + ")");
        }
    }

    /** All checks of a reference file. */
    public record Report(List<Check> checks) {
        public boolean passed() {
            return checks.stream().allMatch(Check::passed);
        }

        public double maxAbsError() {
            return checks.stream().mapToDouble(Check::maxAbsError).max().orElse(0);
        }

        public String summary() {
            return String.format("verify: %d tensors, max abs error %.3e, %s", checks.size(), maxAbsError(),
                    passed() ? "PASS" : "FAIL");
        }
    }

    private final PhiModel model;
    private final Tolerances tolerances;

    public Verifier(PhiModel model, Tolerances tolerances) {
        this.model = model;
        this.tolerances = tolerances;
    }

    public Report verify(Path referenceFile, Consumer<Check> progress) {
        List<Check> checks = new ArrayList<>();
        Consumer<Check> record = check -> {
            checks.add(check);
            progress.accept(check);
        };
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsFile reference = SafeTensorsFile.open(referenceFile, arena);
            Map<Integer, Map<String, Tensor>> sequences = new TreeMap<>();
            for (String name : reference.entries().keySet()) {
                int dot = name.indexOf('.');
                if (!name.startsWith("s") || dot < 2 || !name.substring(1, dot).chars().allMatch(Character::isDigit)) {
                    throw new ModelFormatException(referenceFile, "tensor '" + name + "' is not named s{k}.<name>");
                }
                sequences.computeIfAbsent(Integer.parseInt(name.substring(1, dot)), k -> new TreeMap<>())
                        .put(name.substring(dot + 1), reference.tensor(name));
            }
            if (sequences.isEmpty()) {
                throw new ModelFormatException(referenceFile, "holds no s{k}.* tensors");
            }
            for (var sequence : sequences.entrySet()) {
                verifySequence(referenceFile, "s" + sequence.getKey() + ".", sequence.getValue(), record);
            }
        }
        return new Report(checks);
    }

    private void verifySequence(Path file, String prefix, Map<String, Tensor> tensors, Consumer<Check> record) {
        Tensor inputIds = tensors.get("input_ids");
        if (inputIds == null) {
            throw new ModelFormatException(file, "sequence " + prefix + " has no input_ids");
        }
        int[] ids = inputIds.toIntArray();
        Tensor greedyIds = tensors.get("greedy_ids");
        int greedyCount = greedyIds == null ? 0 : (int) greedyIds.elementCount();

        Hooks hooks = model.newHooks();
        List<String> hookNames = new ArrayList<>();
        for (HookPoint point : HookPoint.all(model.config())) {
            if (tensors.containsKey(point.name())) {
                hookNames.add(point.name());
            }
        }
        ActivationCache cache = ActivationCache.capture(hooks, hookNames.toArray(String[]::new));
        try (KVCache kv = model.newCache(ids.length + greedyCount)) {
            float[] logits = model.forward(ids, kv, hooks, PhiModel.Logits.ALL);
            for (String name : hookNames) {
                ActivationCache.Entry entry = cache.get(name);
                record.accept(compare(prefix + name, tensors.get(name), entry.shape(), entry.data(), tolerances.activations()));
            }
            int vocab = model.config().vocabSize();
            if (tensors.containsKey("logits")) {
                record.accept(compare(prefix + "logits", tensors.get("logits"), new int[] {ids.length, vocab}, logits, tolerances.logits()));
            }
            if (tensors.containsKey("logits_last")) {
                float[] last = Arrays.copyOfRange(logits, (ids.length - 1) * vocab, ids.length * vocab);
                record.accept(compare(prefix + "logits_last", tensors.get("logits_last"), new int[] {vocab}, last, tolerances.logits()));
            }
            if (greedyIds != null) {
                int[] expected = greedyIds.toIntArray();
                float[] margins = tensors.containsKey("greedy_margins") ? tensors.get("greedy_margins").toFloatArray() : null;
                record.accept(checkGreedy(prefix, ids, expected, margins));
                checkCachedDecode(prefix, ids, expected, logits, kv, tensors, record);
            }
        }
    }

    /** Greedy decoding from the prompt must pick the reference's tokens wherever the reference's choice was clear. */
    private Check checkGreedy(String prefix, int[] ids, int[] expected, float[] margins) {
        int vocab = model.config().vocabSize();
        try (KVCache kv = model.newCache(ids.length + expected.length)) {
            float[] logits = model.forward(ids, kv, PhiModel.Logits.LAST);
            for (int i = 0; i < expected.length; i++) {
                int chosen = Sampler.argmax(logits, 0, vocab);
                if (chosen != expected[i]) {
                    boolean tie = margins != null && margins[i] <= tolerances.greedyMargin();
                    String note = "step " + i + ": chose " + chosen + ", reference " + expected[i]
                            + (margins == null ? "" : String.format(", reference margin %.2e", margins[i]));
                    return new Check(prefix + "greedy_ids", 0, tie, tie ? note + " (a near tie; later steps not compared)" : note);
                }
                if (i + 1 < expected.length) {
                    logits = model.forward(new int[] {chosen}, kv, PhiModel.Logits.LAST);
                }
            }
        }
        return new Check(prefix + "greedy_ids", 0, true, "");
    }

    /** The prompt's logits, then one cached decode step per greedy token, against one full pass over everything. */
    private void checkCachedDecode(String prefix, int[] ids, int[] greedy, float[] promptLogits, KVCache kv,
                                   Map<String, Tensor> tensors, Consumer<Check> record) {
        int vocab = model.config().vocabSize();
        int rows = ids.length + greedy.length;
        float[] decoded = Arrays.copyOf(promptLogits, rows * vocab);
        for (int i = 0; i < greedy.length; i++) {
            float[] step = model.forward(new int[] {greedy[i]}, kv, PhiModel.Logits.LAST);
            System.arraycopy(step, 0, decoded, (ids.length + i) * vocab, vocab);
        }
        if (tensors.containsKey("greedy_full_logits")) {
            record.accept(compare(prefix + "greedy_full_logits", tensors.get("greedy_full_logits"),
                    new int[] {rows, vocab}, decoded, tolerances.logits()));
        }
        if (tensors.containsKey("greedy_last_logits")) {
            float[] last = Arrays.copyOfRange(decoded, (rows - 1) * vocab, rows * vocab);
            record.accept(compare(prefix + "greedy_last_logits", tensors.get("greedy_last_logits"),
                    new int[] {vocab}, last, tolerances.logits()));
        }
    }

    private static Check compare(String name, Tensor expected, int[] shape, float[] actual, double tolerance) {
        if (!Arrays.equals(expected.shape(), shape)) {
            return new Check(name, Double.POSITIVE_INFINITY, false, "shape " + Arrays.toString(shape)
                    + ", reference " + Arrays.toString(expected.shape()));
        }
        float[] reference = expected.toFloatArray();
        double max = 0;
        for (int i = 0; i < reference.length; i++) {
            double error = Math.abs((double) reference[i] - actual[i]);
            if (!(error <= max)) {
                max = Double.isNaN(error) ? Double.POSITIVE_INFINITY : error;
            }
        }
        return new Check(name, max, max <= tolerance, "");
    }
}

package phiscope.toxicity.audit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import phiscope.toxicity.ReproducibleJson;

/**
 * Which items of a dataset a capability eval scores, and how the dataset was read; part of the
 * run's settings, so a folder is only resumed for the same items.
 *
 * @param format {@link #PUBLISHED} (the task's own layouts) or {@link #MC_JSONL}
 * @param limit  only the first N items (lm-eval's {@code --limit})
 * @param sample N items drawn at random without replacement, kept in file order
 * @param seed   the seed of {@code sample}
 */
public record EvalSelection(String format, OptionalInt limit, OptionalInt sample, long seed) {

    public static final String PUBLISHED = "published";
    public static final String MC_JSONL = "mc-jsonl";
    public static final long DEFAULT_SEED = 1234;

    public EvalSelection {
        if (limit.isPresent() && sample.isPresent()) throw new IllegalArgumentException("--limit and --sample both choose items; give one of them");
        if (limit.isPresent() && limit.getAsInt() < 1) throw new IllegalArgumentException("--limit must be at least 1, not " + limit.getAsInt());
        if (sample.isPresent() && sample.getAsInt() < 1) throw new IllegalArgumentException("--sample must be at least 1, not " + sample.getAsInt());
    }

    /** Every item of a dataset in {@code format}: what the workbench runs. */
    public static EvalSelection all(String format) {
        return new EvalSelection(format, OptionalInt.empty(), OptionalInt.empty(), DEFAULT_SEED);
    }

    /** The items kept, in file order. */
    public <T> List<T> apply(List<T> items) {
        if (limit.isPresent()) return items.subList(0, Math.min(limit.getAsInt(), items.size()));
        if (sample.isEmpty()) return items;
        int n = sample.getAsInt();
        if (n > items.size()) throw new IllegalArgumentException("--sample " + n + " is more than the " + items.size() + " items");
        // A partial Fisher-Yates shuffle: java.util.Random's sequence is fixed by its specification.
        Random random = new Random(seed);
        int[] order = new int[items.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        for (int i = 0; i < n; i++) {
            int j = i + random.nextInt(order.length - i);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        int[] chosen = Arrays.copyOf(order, n);
        Arrays.sort(chosen);
        List<T> kept = new ArrayList<>(n);
        for (int index : chosen) kept.add(items.get(index));
        return kept;
    }

    ObjectNode toJson() {
        ObjectNode node = ReproducibleJson.object().put("format", format);
        limit.ifPresent(n -> node.put("limit", n));
        sample.ifPresent(n -> node.put("sample", n).put("seed", seed));
        return node;
    }
}

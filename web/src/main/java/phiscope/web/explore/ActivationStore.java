package phiscope.web.explore;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import phiscope.engine.Phi;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.model.PhiModel;
import phiscope.web.server.BoundedCache;
import phiscope.web.server.Job;

/**
 * Activations of prompts at hook points, captured on demand and kept within a memory budget.
 * A capture runs the forward pass only as far as the deepest point it needs (the last layers are
 * skipped for an early one), and views that look at one layer from many angles (heads, neurons,
 * positions) then cost no forward pass at all. Used on the model thread only.
 */
final class ActivationStore {

    private record Key(TokenIds tokens, HookPoint point) {
    }

    /** Thrown by the last capture hook: everything needed is in hand, the rest of the pass is skipped. */
    private static final class EnoughCaptured extends RuntimeException {
        EnoughCaptured() {
            super(null, null, false, false);
        }
    }

    private static final List<String> PRIMED = List.of("blocks.*.attn.hook_pattern", "blocks.*.mlp.hook_post",
            "ln_final.hook_normalized");

    private final Phi phi;
    private final Map<HookPoint, Integer> forwardOrder = new HashMap<>();
    private final BoundedCache<Key, ActivationCache.Entry> cache;

    ActivationStore(Phi phi, long budgetBytes) {
        this.phi = phi;
        List<HookPoint> all = HookPoint.all(phi.config());
        for (int i = 0; i < all.size(); i++) {
            forwardOrder.put(all.get(i), i);
        }
        this.cache = new BoundedCache<>(budgetBytes, entry -> 64 + 4L * entry.data().length);
    }

    ActivationCache.Entry capture(Job job, int[] ids, HookPoint point) {
        return capture(job, ids, List.of(point)).get(point);
    }

    /** The activations of {@code ids} at {@code points}, from the store or from one (partial) forward pass. */
    Map<HookPoint, ActivationCache.Entry> capture(Job job, int[] ids, List<HookPoint> points) {
        TokenIds tokens = new TokenIds(ids);
        Map<HookPoint, ActivationCache.Entry> found = new LinkedHashMap<>();
        List<HookPoint> missing = new ArrayList<>();
        for (HookPoint point : points) {
            ActivationCache.Entry entry = cache.get(new Key(tokens, point));
            if (entry != null) {
                found.put(point, entry);
            } else {
                missing.add(point);
            }
        }
        if (missing.isEmpty()) {
            return found;
        }
        Hooks hooks = job.guard(phi.newHooks());
        for (HookPoint point : missing) {
            hooks.add(point, activation -> found.put(point, new ActivationCache.Entry(activation.shape(), activation.copy())));
        }
        HookPoint deepest = missing.stream().max(Comparator.comparingInt(forwardOrder::get)).orElseThrow();
        hooks.add(deepest, activation -> {
            throw new EnoughCaptured();
        });
        try {
            phi.model().forward(ids, hooks, PhiModel.Logits.NONE);
        } catch (EnoughCaptured expected) {
            // The forward pass stopped right after the deepest point it had to reach.
        }
        for (HookPoint point : missing) {
            cache.put(new Key(tokens, point), found.get(point));
        }
        return found;
    }

    /**
     * The one full forward pass a new prompt gets: {@code observers} (the attention overview)
     * read it as it goes, and the store keeps what the views read most (every layer's patterns
     * and neurons, the final residual) as far as the budget allows. Layers are kept in forward
     * order, so a tight budget drops the early ones, which are the cheapest to run again.
     */
    void prime(Job job, int[] ids, Consumer<Hooks> observers) {
        Hooks hooks = job.guard(phi.newHooks());
        observers.accept(hooks);
        TokenIds tokens = new TokenIds(ids);
        for (String pattern : PRIMED) {
            hooks.add(pattern, activation -> cache.put(new Key(tokens, activation.point()),
                    new ActivationCache.Entry(activation.shape(), activation.copy())));
        }
        phi.model().forward(ids, hooks, PhiModel.Logits.NONE);
    }
}

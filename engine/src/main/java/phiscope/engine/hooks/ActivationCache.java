package phiscope.engine.hooks;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Copies of the activations at chosen hook points, filled by read hooks during a forward pass.
 * Each name holds the activation of the last forward call that reached it.
 */
public final class ActivationCache {

    /** One captured activation. */
    public record Entry(int[] shape, float[] data) {
    }

    private final Map<String, Entry> entries = Collections.synchronizedMap(new LinkedHashMap<>());

    /** A cache that captures every hook point matching one of {@code patterns} into itself. */
    public static ActivationCache capture(Hooks hooks, String... patterns) {
        ActivationCache cache = new ActivationCache();
        for (String pattern : patterns) {
            hooks.add(pattern, cache::put);
        }
        return cache;
    }

    private void put(Activation activation) {
        entries.put(activation.name(), new Entry(activation.shape(), activation.copy()));
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    public Entry get(String name) {
        Entry entry = entries.get(name);
        if (entry == null) {
            throw new IllegalArgumentException("no activation captured for '" + name + "'; captured: " + entries.keySet());
        }
        return entry;
    }
}

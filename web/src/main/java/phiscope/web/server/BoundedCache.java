package phiscope.web.server;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * A least-recently-used map bounded by the total weight (bytes) of its values, so that caching
 * activations of long prompts on a large model cannot exhaust the heap.
 */
public final class BoundedCache<K, V> {

    private final long budget;
    private final ToLongFunction<V> weigher;
    private final LinkedHashMap<K, V> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long weight;

    public BoundedCache(long budget, ToLongFunction<V> weigher) {
        this.budget = budget;
        this.weigher = weigher;
    }

    public synchronized V get(K key) {
        return entries.get(key);
    }

    /** Keeps {@code value} unless it alone is heavier than the budget; evicts the least recently used. */
    public synchronized void put(K key, V value) {
        long w = weigher.applyAsLong(value);
        V old = entries.remove(key);
        if (old != null) {
            weight -= weigher.applyAsLong(old);
        }
        if (w > budget) {
            return;
        }
        entries.put(key, value);
        weight += w;
        Iterator<Map.Entry<K, V>> eldest = entries.entrySet().iterator();
        while (weight > budget && eldest.hasNext()) {
            weight -= weigher.applyAsLong(eldest.next().getValue());
            eldest.remove();
        }
    }

    public synchronized long weight() {
        return weight;
    }
}

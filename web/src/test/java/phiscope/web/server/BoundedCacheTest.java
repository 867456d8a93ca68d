package phiscope.web.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class BoundedCacheTest {

    @Test
    void evictsTheLeastRecentlyUsedOverBudgetAndSkipsWhatCannotFit() {
        BoundedCache<String, float[]> cache = new BoundedCache<>(10, values -> values.length);
        cache.put("a", new float[4]);
        cache.put("b", new float[4]);
        assertNotNull(cache.get("a"));
        cache.put("c", new float[4]);
        assertNull(cache.get("b"), "b was used least recently");
        assertNotNull(cache.get("a"));
        assertEquals(8, cache.weight());
        cache.put("huge", new float[11]);
        assertNull(cache.get("huge"));
        assertEquals(8, cache.weight());
    }
}

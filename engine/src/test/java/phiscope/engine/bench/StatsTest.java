package phiscope.engine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void medianAndSpreadOfOddAndEvenCounts() {
        Stats odd = Stats.of(5, 1, 3);
        assertEquals(3, odd.median());
        assertEquals(1, odd.min());
        assertEquals(5, odd.max());
        assertEquals(4.0 / 3, odd.spread(), 1e-12);
        assertEquals(List.of(1.0, 3.0, 5.0), odd.values());
        assertEquals(2.5, Stats.of(4, 1, 2, 3).median());
        assertThrows(IllegalArgumentException.class, Stats::of);
    }
}

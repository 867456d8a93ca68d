package phiscope.engine.model;

import java.util.Arrays;
import phiscope.engine.hooks.Activation;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.hooks.Hooks;

/**
 * One forward pass over a batch of rows, as its hook points describe it: row {@code t} is at
 * rotary position {@code positions[t]}, is stored at cache index {@code start + t}, and attends
 * to cache indices {@code keyStarts[t] .. start + t}.
 */
record Pass(PhiConfig config, Hooks hooks, int start, int[] positions, int[] keyStarts) {

    int rows() {
        return positions.length;
    }

    /** Keys the last row sees: everything cached before the pass and the pass's own rows. */
    int keys() {
        return start + rows();
    }

    boolean hooked(HookSite site, int block) {
        return hooks.has(site, block);
    }

    /** Offers {@code buffer} (the pass's whole activation at that point) to the hooks, if any listen. */
    void fire(HookSite site, int block, float[] buffer) {
        if (hooks.has(site, block)) {
            HookPoint point = new HookPoint(site, block);
            hooks.fire(new Activation(point, buffer, 0, point.shape(config, rows(), keys()), positions));
        }
    }

    /** {@link #fire} for an activation computed for {@code count} rows from {@code firstRow} only (the last row's logits). */
    void fireRows(HookSite site, float[] buffer, int count, int firstRow) {
        if (hooks.has(site, -1)) {
            HookPoint point = new HookPoint(site, -1);
            hooks.fire(new Activation(point, buffer, 0, point.shape(config, count, keys()),
                    Arrays.copyOfRange(positions, firstRow, firstRow + count)));
        }
    }
}

package phiscope.engine.hooks;

import java.util.List;
import phiscope.engine.model.PhiConfig;

/**
 * The hooks registered for forward passes, by hook point. A point with nothing registered costs
 * the forward pass one array lookup and branch ({@link #has}), never a copy.
 */
public final class Hooks {

    private final PhiConfig config;
    /** Indexed by site, then by block + 1 (global sites use index 0); null where nothing is registered. */
    private final Hook[][] bySite = new Hook[HookSite.values().length][];

    public Hooks(PhiConfig config) {
        this.config = config;
    }

    public PhiConfig config() {
        return config;
    }

    /** Registers {@code hook} on the named point, or on every point a {@code *} pattern matches. */
    public Hooks add(String nameOrPattern, Hook hook) {
        for (HookPoint point : HookPoint.matching(nameOrPattern, config)) {
            add(point, hook);
        }
        return this;
    }

    public Hooks add(HookPoint point, Hook hook) {
        if (point.site().perBlock() && point.block() >= config.numLayers()) {
            throw new UnknownHookException(point.name(), List.of("blocks.0 .. blocks." + (config.numLayers() - 1)));
        }
        int slot = point.block() + 1;
        Hook[] blocks = bySite[point.site().ordinal()];
        if (blocks == null) {
            blocks = new Hook[config.numLayers() + 1];
            bySite[point.site().ordinal()] = blocks;
        }
        Hook existing = blocks[slot];
        blocks[slot] = existing == null ? hook : activation -> {
            existing.apply(activation);
            hook.apply(activation);
        };
        return this;
    }

    public boolean has(HookSite site, int block) {
        Hook[] blocks = bySite[site.ordinal()];
        return blocks != null && blocks[block + 1] != null;
    }

    public boolean isEmpty() {
        for (Hook[] blocks : bySite) {
            if (blocks != null) {
                return false;
            }
        }
        return true;
    }

    /** Runs the hooks of a point on its activation; callers check {@link #has} first to avoid building the view. */
    public void fire(Activation activation) {
        HookPoint point = activation.point();
        Hook hook = bySite[point.site().ordinal()][point.block() + 1];
        hook.apply(activation);
    }
}

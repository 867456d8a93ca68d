package phiscope.engine.hooks;

import java.util.ArrayList;
import java.util.List;
import phiscope.engine.model.PhiConfig;

/**
 * The hooks registered for forward passes, by hook point. A point with nothing registered costs
 * the forward pass one array lookup and branch ({@link #has}), never a copy. At each point the
 * hooks run in the order they were added, then the observers: caches and checks registered as
 * observers see exactly what the rest of the forward pass sees, whatever order things were added in.
 */
public final class Hooks {

    private final PhiConfig config;
    /** Indexed by site, then by block + 1 (global sites use index 0); null where nothing is registered. */
    private final Hook[][] bySite = new Hook[HookSite.values().length][];
    private final Hook[][] observersBySite = new Hook[HookSite.values().length][];
    private final List<SplicedPoints> spliced = new ArrayList<>();

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
        chain(bySite, point, hook);
        return this;
    }

    /** Registers a read-only {@code observer} that runs after every hook of the point (see the class comment). */
    public Hooks observe(HookPoint point, Hook observer) {
        chain(observersBySite, point, observer);
        return this;
    }

    private void chain(Hook[][] table, HookPoint point, Hook hook) {
        if (point.site().perBlock() && point.block() >= config.numLayers()) {
            throw new UnknownHookException(point.name(), List.of("blocks.0 .. blocks." + (config.numLayers() - 1)));
        }
        int slot = point.block() + 1;
        Hook[] blocks = table[point.site().ordinal()];
        if (blocks == null) {
            blocks = new Hook[config.numLayers() + 1];
            table[point.site().ordinal()] = blocks;
        }
        blocks[slot] = blocks[slot] == null ? hook : blocks[slot].andThen(hook);
    }

    /** Makes {@code points} selectable in the passes run with this registry (a spliced SAE calls this itself). */
    public Hooks splice(SplicedPoints points) {
        spliced.add(points);
        return this;
    }

    /** What has been spliced into this registry's passes, in the order it was spliced. */
    public List<SplicedPoints> spliced() {
        return List.copyOf(spliced);
    }

    public boolean has(HookSite site, int block) {
        return registered(bySite, site, block) != null || registered(observersBySite, site, block) != null;
    }

    private static Hook registered(Hook[][] table, HookSite site, int block) {
        Hook[] blocks = table[site.ordinal()];
        return blocks == null ? null : blocks[block + 1];
    }

    public boolean isEmpty() {
        for (HookSite site : HookSite.values()) {
            if (bySite[site.ordinal()] != null || observersBySite[site.ordinal()] != null) {
                return false;
            }
        }
        return true;
    }

    /** Runs the hooks, then the observers, of a point; callers check {@link #has} first to avoid building the view. */
    public void fire(Activation activation) {
        HookPoint point = activation.point();
        Hook hook = registered(bySite, point.site(), point.block());
        if (hook != null) {
            hook.apply(activation);
        }
        Hook observer = registered(observersBySite, point.site(), point.block());
        if (observer != null) {
            observer.apply(activation);
        }
    }
}

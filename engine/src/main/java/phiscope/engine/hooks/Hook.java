package phiscope.engine.hooks;

/** Code run on an activation as the forward pass produces it; it may read it, or edit it in place. */
@FunctionalInterface
public interface Hook {
    void apply(Activation activation);
}

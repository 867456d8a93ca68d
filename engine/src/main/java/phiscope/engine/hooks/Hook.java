package phiscope.engine.hooks;

/** Code run on an activation as the forward pass produces it; it may read it, or edit it in place. */
@FunctionalInterface
public interface Hook {
    void apply(Activation activation);

    /** This hook, then {@code next}, on the same activation. */
    default Hook andThen(Hook next) {
        return activation -> {
            apply(activation);
            next.apply(activation);
        };
    }
}

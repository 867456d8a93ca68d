package phiscope.engine.hooks;

/**
 * A lasting change to a model's computation (a steering vector, an ablation, a clamped feature),
 * made of hooks. An edited model registers it first on every registry it hands out, so that
 * every pass (scoring, generation, caching) runs the edited model and the hooks a caller adds see
 * the edited activations. An edit acts on sequence positions ({@link Activation#positions()}),
 * never on a pass's rows, so its effect on a text does not depend on what the text shares a pass with.
 */
@FunctionalInterface
public interface ModelEdit {

    /** Adds this edit's hooks to {@code hooks}. */
    void register(Hooks hooks);
}

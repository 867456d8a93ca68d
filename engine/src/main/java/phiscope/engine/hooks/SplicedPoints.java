package phiscope.engine.hooks;

import java.util.List;

/**
 * Hook points that something spliced into the forward pass adds under a model point, such as a
 * sparse autoencoder's {@code blocks.2.hook_resid_post.hook_sae_acts_post}. Registered with
 * {@link Hooks#splice}, they are selectable like the model's own points: caches and
 * {@link HookSelector}s (with {@code [pos=..]} and {@code [feature=..]}) find them through the
 * registry, so they exist only for the passes that registry is given to.
 */
public interface SplicedPoints {

    /** The model point the spliced points fire under, once per firing of it. */
    HookPoint host();

    /** Full names of the points, e.g. {@code blocks.2.hook_resid_post.hook_sae_acts_post}. */
    List<String> pointNames();

    /** The shape a point fires with when its host fires with {@code rows} rows: [rows, width]. */
    int[] shape(String name, int rows);

    /** Whether {@code [feature=..]} slices this point's last dimension (a SAE's feature activations). */
    boolean hasFeatures(String name);

    /** Registers a read-only observer of the named point. */
    SplicedPoints observe(String name, Hook observer);
}

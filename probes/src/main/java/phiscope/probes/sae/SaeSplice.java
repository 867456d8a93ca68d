package phiscope.probes.sae;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import phiscope.engine.hooks.Activation;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.Hook;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.hooks.SplicedPoints;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.hooks.UnknownHookException;
import phiscope.engine.model.PhiConfig;

/**
 * A sparse autoencoder spliced into the forward pass at its hook, as SAELens's
 * {@code HookedSAETransformer} does: the hook's activation x is encoded, the rest of the pass runs
 * on the reconstruction x̂ (or, with {@link Output#WITH_ERROR}, on x̂ plus the error term
 * x − x̂ of the unedited SAE, so outputs are unchanged until a feature is edited), and the SAE's
 * own points fire under the hook's name:
 * <pre>
 *   blocks.2.hook_resid_post.hook_sae_input       [T, d_in]   x as the SAE reads it
 *   blocks.2.hook_resid_post.hook_sae_acts_pre    [T, d_sae]  pre-activations
 *   blocks.2.hook_resid_post.hook_sae_acts_post   [T, d_sae]  feature activations
 *   blocks.2.hook_resid_post.hook_sae_recons      [T, d_in]   x̂
 *   blocks.2.hook_resid_post.hook_sae_error       [T, d_in]   x − x̂ (unedited SAE)
 * </pre>
 * Hooks on these points may read or edit them in place; edits to the input or pre-activations
 * flow through the SAE as they do in SAELens. A splice belongs to one {@link Hooks} registry,
 * so it lasts for the passes that registry is given to; its points are selectable there like the
 * model's ({@code ActivationCache.record}, {@code Phi.runWithCache(ids, hooks, …)}), with
 * {@code [feature=..]} slicing the features of the two activation points.
 */
public final class SaeSplice implements SplicedPoints {

    /** What the rest of the forward pass sees. */
    public enum Output { RECONSTRUCTION, WITH_ERROR }

    /** The SAE's own hook points, in the order they fire. */
    public static final List<String> POINTS = List.of("hook_sae_input", "hook_sae_acts_pre", "hook_sae_acts_post",
            "hook_sae_recons", "hook_sae_error");

    private final SparseAutoencoder sae;
    private final HookPoint host;
    private final Output output;
    private final int dIn;
    /** Hooks, then observers, by SAE point; null where nothing is registered. */
    private final Map<String, Hook> hooks = new LinkedHashMap<>();
    private final Map<String, Hook> observers = new LinkedHashMap<>();

    private SaeSplice(SparseAutoencoder sae, HookPoint host, Output output, int dIn) {
        this.sae = sae;
        this.host = host;
        this.output = output;
        this.dIn = dIn;
    }

    /**
     * Splices {@code sae} into the passes run with {@code hooks}, after the hooks already
     * registered at its hook point. A SAE whose hook the model does not have, or whose
     * {@code d_in} does not match the hook's activation, is refused.
     */
    public static SaeSplice attach(Hooks hooks, SparseAutoencoder sae, Output output) {
        PhiConfig config = hooks.config();
        SaeConfig cfg = sae.config();
        HookPoint host = HookPoint.parse(cfg.hookName(), config);
        int[] shape = host.shape(config, 1, 1);
        if (host.site().layout() == HookSite.Layout.HEADS_QUERIES_KEYS) {
            throw new IllegalArgumentException(sae.folder() + ": a SAE on " + host.name() + " (attention scores or patterns) "
                    + "is not something phiscope splices; SAEs read rows of the residual stream, MLP or attention heads");
        }
        int perToken = 1;
        for (int d = 1; d < shape.length; d++) {
            perToken *= shape[d];
        }
        int expected = perToken;
        String what = host.name() + " has " + perToken + " values per token";
        if (cfg.hookHeadIndex().isPresent()) {
            int head = cfg.hookHeadIndex().getAsInt();
            if (shape.length != 3 || head >= shape[1]) {
                throw new IllegalArgumentException(sae.folder().resolve("cfg.json") + ": \"hook_head_index\": " + head + " does not "
                        + "name a head of " + host.name() + " " + Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length)));
            }
            expected = shape[2];
            what = "head " + head + " of " + host.name() + " has " + expected + " values per token";
        }
        if (cfg.dIn() != expected) {
            throw new IllegalArgumentException(sae.folder().resolve("cfg.json") + ": \"d_in\": " + cfg.dIn() + " does not match its "
                    + "hook: " + what);
        }
        SaeSplice splice = new SaeSplice(sae, host, output, expected);
        hooks.add(host, splice::run);
        hooks.splice(splice);
        return splice;
    }

    public SparseAutoencoder sae() {
        return sae;
    }

    /** The model hook point the SAE reads and replaces. */
    @Override
    public HookPoint host() {
        return host;
    }

    /** The full names of the SAE's points, e.g. {@code blocks.2.hook_resid_post.hook_sae_acts_post}. */
    @Override
    public List<String> pointNames() {
        return POINTS.stream().map(p -> host.name() + "." + p).toList();
    }

    @Override
    public int[] shape(String point, int rows) {
        return new int[] {rows, hasFeatures(point) ? sae.dSae() : dIn};
    }

    @Override
    public boolean hasFeatures(String point) {
        return suffix(point).startsWith("hook_sae_acts_");
    }

    /** Registers {@code hook} on one of the SAE's points, by full name or by its last part ({@code hook_sae_acts_post}). */
    public SaeSplice add(String point, Hook hook) {
        chain(hooks, point, hook);
        return this;
    }

    /**
     * Holds {@code feature} at {@code value} at every position (0 ablates it), as the steering of
     * SAELens users does: with {@link Output#WITH_ERROR} the model then sees its own activation
     * plus (value − f) · W_dec[feature].
     */
    public SaeSplice clamp(int feature, float value) {
        sae.decoderDirection(feature); // refuses a feature the SAE does not have
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException("a feature's clamp must be a finite number, not " + value);
        }
        return add("hook_sae_acts_post", a -> {
            for (int t = 0; t < a.shape()[0]; t++) {
                a.set(value, t, feature);
            }
        });
    }

    /** Registers a read-only observer that runs after every hook of the point, as {@link Hooks#observe} does. */
    @Override
    public SaeSplice observe(String point, Hook observer) {
        chain(observers, point, observer);
        return this;
    }

    /** Keeps the named SAE points (all of them when none are named) in {@code cache}, under {@code keyPrefix} + full name. */
    public SaeSplice record(ActivationCache cache, String keyPrefix, String... points) {
        for (String point : points.length == 0 ? POINTS.toArray(String[]::new) : points) {
            observe(point, a -> cache.put(keyPrefix + a.name(), a.shape(), a.data(), a.offset()));
        }
        return this;
    }

    private void chain(Map<String, Hook> table, String point, Hook hook) {
        String suffix = suffix(point);
        table.merge(suffix, hook, Hook::andThen);
    }

    private String suffix(String point) {
        String prefix = host.name() + ".";
        String suffix = point.startsWith(prefix) ? point.substring(prefix.length()) : point;
        if (!POINTS.contains(suffix)) {
            throw new UnknownHookException(point, pointNames());
        }
        return suffix;
    }

    /** The hook at the host point: encode, fire, decode, write back what the rest of the pass sees. */
    private void run(Activation activation) {
        int rows = activation.shape()[0];
        int dSae = sae.dSae();
        int[] positions = activation.positions();
        float[] x = readRows(activation, rows);
        float[] clean = x.clone();
        boolean edited = fire("hook_sae_input", x, rows, dIn, positions);
        SparseAutoencoder.Encoding encoding = sae.preActivate(x, rows);
        if (fire("hook_sae_acts_pre", encoding.actsPre(), rows, dSae, positions)) {
            edited = true;
        }
        sae.activate(encoding);
        if (fire("hook_sae_acts_post", encoding.actsPost(), rows, dSae, positions)) {
            edited = true;
        }
        float[] recons = sae.decode(encoding);
        boolean outputEdited = fire("hook_sae_recons", recons, rows, dIn, positions);
        float[] cleanRecons = edited ? sae.decode(sae.encode(clean, rows)) : recons;
        float[] error = new float[rows * dIn];
        for (int i = 0; i < error.length; i++) {
            error[i] = clean[i] - cleanRecons[i];
        }
        if (fire("hook_sae_error", error, rows, dIn, positions)) {
            outputEdited = true;
        }
        if (output == Output.WITH_ERROR) {
            if (!edited && !outputEdited) {
                return; // x̂ + (x − x̂) is x up to rounding; leave x as it was, bit for bit
            }
            for (int i = 0; i < recons.length; i++) {
                recons[i] += error[i];
            }
        }
        writeRows(activation, rows, recons);
    }

    /** Runs the hooks and observers of one SAE point on {@code values}; true if a hook changed them. */
    private boolean fire(String suffix, float[] values, int rows, int width, int[] positions) {
        Hook hook = hooks.get(suffix);
        Hook observer = observers.get(suffix);
        if (hook == null && observer == null) {
            return false;
        }
        Activation view = new Activation(host, host.name() + "." + suffix, values, 0, new int[] {rows, width}, positions);
        boolean changed = false;
        if (hook != null) {
            float[] before = values.clone();
            hook.apply(view);
            changed = !Arrays.equals(before, values);
        }
        if (observer != null) {
            observer.apply(view);
        }
        return changed;
    }

    /** The SAE's input rows: the whole activation per token, or one head's slice of it. */
    private float[] readRows(Activation activation, int rows) {
        float[] out = new float[rows * dIn];
        int stride = activation.size() / rows;
        int start = activation.offset() + headOffset(activation);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(activation.data(), start + r * stride, out, r * dIn, dIn);
        }
        return out;
    }

    private void writeRows(Activation activation, int rows, float[] values) {
        int stride = activation.size() / rows;
        int start = activation.offset() + headOffset(activation);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(values, r * dIn, activation.data(), start + r * stride, dIn);
        }
    }

    private int headOffset(Activation activation) {
        return sae.config().hookHeadIndex().isPresent() ? sae.config().hookHeadIndex().getAsInt() * activation.shape()[2] : 0;
    }
}

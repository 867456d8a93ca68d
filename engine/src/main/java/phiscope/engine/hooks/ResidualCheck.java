package phiscope.engine.hooks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Watches the residual identity of every block, {@code resid_post = resid_pre + attn_out + mlp_out},
 * as observers (so after any write hooks). It holds while interventions edit inputs of the sum
 * (resid_pre, z, attn_out, mlp_out, ...), and breaks when a hook writes {@code hook_resid_post}
 * itself or keeps writing a buffer after its call: those are the violations it reports.
 */
public final class ResidualCheck {

    /** The worst mismatch of one block in one forward call. */
    public record Violation(int block, int row, int column, float expected, float actual) {
        public String describe() {
            return String.format(Locale.ROOT, "blocks.%d: hook_resid_post[%d, %d] = %.6g but resid_pre + attn_out + mlp_out = %.6g",
                    block, row, column, actual, expected);
        }
    }

    /** Float32 rounding of the same sum stays far below this, relative to the value's size. */
    private static final float RELATIVE_TOLERANCE = 1e-5f;

    private final float[][] pre;
    private final float[][] attn;
    private final float[][] mlp;
    private final List<Violation> violations = new ArrayList<>();
    private int blocksChecked;

    private ResidualCheck(int blocks) {
        pre = new float[blocks][];
        attn = new float[blocks][];
        mlp = new float[blocks][];
    }

    /** Observes every block's residual stream in {@code hooks}; read the outcome after the forward passes. */
    public static ResidualCheck attach(Hooks hooks) {
        int blocks = hooks.config().numLayers();
        ResidualCheck check = new ResidualCheck(blocks);
        for (int b = 0; b < blocks; b++) {
            int block = b;
            hooks.observe(HookPoint.inBlock(b, HookSite.RESID_PRE), a -> check.pre[block] = a.copy());
            hooks.observe(HookPoint.inBlock(b, HookSite.ATTN_OUT), a -> check.attn[block] = a.copy());
            hooks.observe(HookPoint.inBlock(b, HookSite.MLP_OUT), a -> check.mlp[block] = a.copy());
            hooks.observe(HookPoint.inBlock(b, HookSite.RESID_POST), a -> check.verify(block, a));
        }
        return check;
    }

    private synchronized void verify(int block, Activation post) {
        int width = post.shape()[1];
        float[] data = post.data();
        Violation worst = null;
        float worstError = 0;
        for (int i = 0; i < pre[block].length; i++) {
            // The model's order: attn + mlp first, then the residual.
            float expected = pre[block][i] + (attn[block][i] + mlp[block][i]);
            float actual = data[post.offset() + i];
            float error = Math.abs(actual - expected);
            boolean bad = !(error <= RELATIVE_TOLERANCE * Math.max(1f, Math.abs(expected)));
            if (bad && (worst == null || error > worstError || Float.isNaN(error))) {
                worst = new Violation(block, i / width, i % width, expected, actual);
                worstError = error;
            }
        }
        if (worst != null) {
            violations.add(worst);
        }
        blocksChecked++;
    }

    public synchronized List<Violation> violations() {
        return List.copyOf(violations);
    }

    public synchronized boolean holds() {
        return violations.isEmpty();
    }

    /** One line: how many block passes were checked, and the first violations if any. */
    public synchronized String report() {
        if (violations.isEmpty()) {
            return "residual identity holds in all " + blocksChecked + " block passes checked";
        }
        StringBuilder s = new StringBuilder("residual identity violated in " + violations.size() + " of " + blocksChecked
                + " block passes (a hook writes hook_resid_post or a buffer outside its call): ");
        s.append(violations.getFirst().describe());
        if (violations.size() > 1) {
            s.append("; and ").append(violations.size() - 1).append(" more");
        }
        return s.toString();
    }
}

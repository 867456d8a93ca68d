package phiscope.web.server;

import phiscope.engine.hooks.Hooks;

/** What model work sees of its task: whether it should stop (cancelled or past its deadline). */
public interface Job {

    /** True once the client went away, the task was cancelled, or its deadline passed. */
    boolean stopped();

    /** Throws {@link JobStoppedException} if the work should stop. */
    void throwIfStopped();

    /**
     * {@code hooks} plus a check at the start of every block, so that a long forward pass stops
     * within one block of a cancellation instead of running to its end.
     */
    default Hooks guard(Hooks hooks) {
        return hooks.add("blocks.*.hook_resid_pre", activation -> throwIfStopped());
    }
}

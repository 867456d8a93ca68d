package phiscope.probes;

/** Told after each unit of a long run, so a command line can draw a progress bar; scripts and tests pass {@link #NONE}. */
@FunctionalInterface
public interface Progress {

    Progress NONE = (step, done, total) -> { };

    /** {@code done} of {@code total} units are finished; {@code step} says what the last one was. */
    void advance(String step, int done, int total);
}

package phiscope.web.server;

/** Thrown inside model work to abandon it: its client left, or it ran past its deadline. */
public final class JobStoppedException extends RuntimeException {

    private final boolean timedOut;

    JobStoppedException(boolean timedOut) {
        super(timedOut ? "the request ran past its time limit" : "the request was cancelled", null, false, false);
        this.timedOut = timedOut;
    }

    public boolean timedOut() {
        return timedOut;
    }
}

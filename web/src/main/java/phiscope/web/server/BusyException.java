package phiscope.web.server;

/** The model's queue is full: answered 429 with a Retry-After estimate. */
public final class BusyException extends RuntimeException {

    private final long retryAfterSeconds;

    public BusyException(String message, long retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}

package phiscope.toxicity.data;

/** A dataset that cannot be used: unreadable, malformed as a whole, or refused for bad rows. */
public class DatasetException extends RuntimeException {

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}

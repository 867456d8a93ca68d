package phiscope.engine.hooks;

/** An activation selection that does not fit the cache's byte budget; the message says how much it needs. */
public final class CacheBudgetException extends IllegalArgumentException {

    public CacheBudgetException(String message) {
        super(message);
    }
}

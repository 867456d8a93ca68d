package phiscope.web.server;

import java.time.Duration;

/** A request's model work did not finish within the time limit and was cancelled: answered 503. */
public final class TimedOutException extends RuntimeException {

    TimedOutException(Duration limit) {
        super("the request did not finish within " + limit.toSeconds() + " s and was cancelled; the model is busy "
                + "or the request is too large (a shorter prompt helps)");
    }
}

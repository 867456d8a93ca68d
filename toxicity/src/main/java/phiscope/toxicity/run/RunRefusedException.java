package phiscope.toxicity.run;

/** A run folder that cannot be used for the requested run; the message says why and what to do. */
public class RunRefusedException extends RuntimeException {

    public RunRefusedException(String message) {
        super(message);
    }
}

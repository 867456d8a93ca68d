package phiscope.toxicity.data;

/** Thrown while decoding one row; the reader turns it into a {@link RowProblem} and moves on. */
final class BadRowException extends Exception {

    BadRowException(String message) {
        super(message, null, false, false);
    }
}

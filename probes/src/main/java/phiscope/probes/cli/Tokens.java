package phiscope.probes.cli;

import java.util.Arrays;
import phiscope.engine.Phi;

/** Turning command-line token arguments into ids. */
final class Tokens {

    private Tokens() {
    }

    /** The id of {@code text}, which must be exactly one token (mind the leading space: " Paris"). */
    static int single(Phi phi, String text, String option) {
        int[] ids = phi.encode(text);
        if (ids.length != 1) {
            throw new IllegalArgumentException(option + " '" + text + "' is " + ids.length + " tokens " + Arrays.toString(ids)
                    + "; give a text that is exactly one token (often with a leading space)");
        }
        return ids[0];
    }

    /** A token's text for tables. */
    static String text(Phi phi, int id) {
        return phi.decode(new int[] {id});
    }
}

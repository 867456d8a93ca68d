package phiscope.web.server;

import java.math.BigInteger;
import java.util.Map;

/**
 * Request field checks that fail with a 400 naming the field and its allowed range. Integers come
 * as {@link BigInteger}, as a client may send them: one too large for an {@code int} is out of
 * range like any other.
 */
public final class Check {

    private Check() {
    }

    public static <T> T required(String field, T value) {
        if (value == null) {
            throw ApiException.badRequest("field '" + field + "' is required", Map.of("field", field));
        }
        return value;
    }

    /** {@code value} (or {@code fallback} when absent) within {@code [min, max]}. */
    public static int inRange(String field, BigInteger value, int fallback, int min, int max) {
        return inRange(field, value == null ? BigInteger.valueOf(fallback) : value, min, max);
    }

    public static int inRange(String field, BigInteger value, int min, int max) {
        return (int) inLongRange(field, value, min, max);
    }

    /** {@code value} (or {@code fallback} when absent) within {@code [min, max]}, for fields that hold a {@code long}. */
    public static long inLongRange(String field, BigInteger value, long fallback, long min, long max) {
        return inLongRange(field, value == null ? BigInteger.valueOf(fallback) : value, min, max);
    }

    private static long inLongRange(String field, BigInteger value, long min, long max) {
        required(field, value);
        if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            throw ApiException.badRequest("field '" + field + "' is " + value + "; it must be in " + min + ".." + max,
                    Map.of("field", field, "min", min, "max", max));
        }
        return value.longValueExact();
    }
}

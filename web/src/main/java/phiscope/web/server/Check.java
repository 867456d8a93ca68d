package phiscope.web.server;

import java.util.Map;

/** Request field checks that fail with a 400 naming the field and its allowed range. */
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
    public static int inRange(String field, Integer value, int fallback, int min, int max) {
        return inRange(field, value == null ? fallback : value, min, max);
    }

    public static int inRange(String field, Integer value, int min, int max) {
        required(field, value);
        if (value < min || value > max) {
            throw ApiException.badRequest("field '" + field + "' is " + value + "; it must be in " + min + ".." + max,
                    Map.of("field", field, "min", min, "max", max));
        }
        return value;
    }
}

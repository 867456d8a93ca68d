package phiscope.web.server;

import java.util.Map;

/** A request the API refuses: the HTTP status and the message (and details) of its JSON error body. */
public final class ApiException extends RuntimeException {

    private final int status;
    private final Map<String, Object> details;

    public ApiException(int status, String message, Map<String, Object> details) {
        super(message);
        this.status = status;
        this.details = Map.copyOf(details);
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, message, Map.of());
    }

    public static ApiException badRequest(String message, Map<String, Object> details) {
        return new ApiException(400, message, details);
    }

    public int status() {
        return status;
    }

    public Map<String, Object> details() {
        return details;
    }
}

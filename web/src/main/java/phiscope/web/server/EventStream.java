package phiscope.web.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A server-sent event stream on a response. A write that fails means the client has gone (a tab
 * was closed): the stream then reports itself closed, so the caller can stop the work behind it.
 */
public final class EventStream {

    private final OutputStream out;
    private volatile boolean open = true;

    private EventStream(OutputStream out) {
        this.out = out;
    }

    /** Starts the event stream: status 200 and the headers are sent now, the events follow. */
    public static EventStream open(Context ctx) throws IOException {
        HttpServletResponse response = ctx.res();
        response.setStatus(200);
        response.setCharacterEncoding("UTF-8");
        response.setContentType("text/event-stream");
        response.setHeader("Cache-Control", "no-cache");
        // Written straight to the servlet stream: no compression that would hold events back.
        response.flushBuffer();
        return new EventStream(response.getOutputStream());
    }

    /** Sends one event with a JSON payload; false if the client has gone. */
    public boolean send(String event, Object data) {
        try {
            return write("event: " + event + "\ndata: " + StrictJson.MAPPER.writeValueAsString(data) + "\n\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A comment line: keeps the connection alive and finds out whether the client is still there. */
    public boolean heartbeat() {
        return write(": waiting\n\n");
    }

    private synchronized boolean write(String text) {
        if (!open) {
            return false;
        }
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return true;
        } catch (IOException e) {
            open = false;
            return false;
        }
    }
}

package phiscope.web.explore;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import phiscope.web.TestServer;

/** Reads a server-sent event stream from the generate endpoint, or another that streams. */
public final class ServerSentEvents {

    public record Event(String name, JsonNode data) {
    }

    private ServerSentEvents() {
    }

    static HttpResponse<InputStream> open(TestServer server, Object request) {
        return open(server, "/api/generate", request);
    }

    static HttpResponse<InputStream> open(TestServer server, String path, Object request) {
        try {
            HttpRequest post = HttpRequest.newBuilder(server.uri(path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(phiscope.web.server.StrictJson.MAPPER.writeValueAsString(request)))
                    .build();
            return server.client().send(post, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The whole stream, up to the {@code done} or {@code error} event. */
    static List<Event> post(TestServer server, Object request) {
        return post(server, "/api/generate", request);
    }

    /** The whole stream of {@code path}, up to the {@code done} or {@code error} event. */
    public static List<Event> post(TestServer server, String path, Object request) {
        HttpResponse<InputStream> response = open(server, path, request);
        if (response.statusCode() != 200) {
            throw new AssertionError("status " + response.statusCode());
        }
        List<Event> events = new ArrayList<>();
        try (BufferedReader reader = reader(response)) {
            for (Event event; (event = next(reader)) != null; ) {
                events.add(event);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return events;
    }

    static BufferedReader reader(HttpResponse<InputStream> response) {
        return new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    }

    /** The next event, skipping heartbeat comments; null at the end of the stream. */
    static Event next(BufferedReader reader) throws IOException {
        String name = null;
        for (String line; (line = reader.readLine()) != null; ) {
            if (line.startsWith("event: ")) {
                name = line.substring(7);
            } else if (line.startsWith("data: ")) {
                return new Event(name, phiscope.web.server.StrictJson.MAPPER.readTree(line.substring(6)));
            }
        }
        return null;
    }

    static List<Integer> tokenIds(List<Event> events) {
        return events.stream().filter(e -> e.name().equals("token")).map(e -> e.data().get("id").asInt()).toList();
    }
}

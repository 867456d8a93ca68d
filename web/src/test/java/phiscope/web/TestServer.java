package phiscope.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import phiscope.engine.Phi;
import phiscope.engine.model.BundledModel;
import phiscope.probes.intervention.InterventionStamp;
import phiscope.web.server.ConfinedFolder;
import phiscope.web.server.StrictJson;

/**
 * A workbench on the bundled nanophi-py model on a free loopback port, and a client for it; its
 * runs, data and probes folders are {@code runs/}, {@code data/} and {@code probes/} in {@code folders}, its
 * SAEs those shipped with the model.
 */
public final class TestServer implements AutoCloseable {

    private static final Pattern JAVA_NAMES = Pattern.compile(
            "java\\.|com\\.fasterxml|Jackson|Exception|Feature|`|\\b[a-z]+\\.[a-z]+\\.[A-Z]\\w+|\\$[A-Z]\\w+");

    public record Response(int status, JsonNode json, HttpResponse<String> raw) {

        /**
         * Asserts a JSON error with this status whose message contains {@code messagePart}, and that
         * the body names no Java or Jackson class, exception or switch: they tell a client nothing.
         */
        public Response assertError(int expectedStatus, String messagePart) {
            assertEquals(expectedStatus, status, () -> raw.body());
            assertNotNull(json, "a JSON error body");
            String error = json.path("error").asText();
            assertTrue(error.contains(messagePart), () -> "'" + error + "' should mention '" + messagePart + "'");
            Matcher java = JAVA_NAMES.matcher(raw.body());
            assertFalse(java.find(), () -> "'" + java.group() + "' in " + raw.body());
            return this;
        }

        /** {@link #assertError} that also names {@code field} in the body. */
        public Response assertFieldError(int expectedStatus, String field, String messagePart) {
            assertError(expectedStatus, messagePart);
            assertEquals(field, json.path("field").asText(), () -> raw.body());
            return this;
        }

        public Response assertOk() {
            assertEquals(200, status, () -> raw.body());
            return this;
        }
    }

    private final Phi phi;
    private final Workbench workbench;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public TestServer(Limits limits, Path folders) {
        this(Phi.load(BundledModel.directory(), 2), limits, folders);
    }

    /** A workbench on {@code phi}, which {@link #close} closes. */
    public TestServer(Phi phi, Limits limits, Path folders) {
        this(phi, Optional.empty(), limits, folders);
    }

    /** A server on {@code phi}, edited by the saved {@code intervention} if there is one. */
    public TestServer(Phi phi, Optional<InterventionStamp> intervention, Limits limits, Path folders) {
        this.phi = phi;
        workbench = Workbench.start(phi, intervention, "127.0.0.1", 0, limits, new Folders(ConfinedFolder.of(folders.resolve("runs")),
                ConfinedFolder.of(folders.resolve("data")), ConfinedFolder.of(folders.resolve("probes")),
                phi.model().directory().resolve("saes")));
    }

    /** {@code base} with more fields, given as name, value, name, value, ... */
    public static Map<String, Object> fields(Map<String, Object> base, Object... more) {
        Map<String, Object> fields = new HashMap<>(base);
        for (int i = 0; i < more.length; i += 2) {
            fields.put((String) more[i], more[i + 1]);
        }
        return fields;
    }

    public Workbench workbench() {
        return workbench;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + workbench.app().port() + path);
    }

    public HttpClient client() {
        return client;
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public Response post(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** POSTs {@code fields} as a JSON object. */
    public Response post(String path, Object fields) {
        try {
            return post(path, StrictJson.MAPPER.writeValueAsString(fields));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = client.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            String type = response.headers().firstValue("Content-Type").orElse("");
            JsonNode json = type.startsWith("application/json") ? StrictJson.MAPPER.readTree(response.body()) : null;
            return new Response(response.statusCode(), json, response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        workbench.close();
        phi.close();
    }
}

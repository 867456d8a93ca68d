package phiscope.web;

import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import phiscope.engine.hooks.UnknownHookException;
import phiscope.web.server.ApiException;
import phiscope.web.server.BusyException;
import phiscope.web.server.JobStoppedException;
import phiscope.web.server.RouteGroup;
import phiscope.web.server.StrictJson;
import phiscope.web.server.TimedOutException;

/**
 * The workbench's HTTP server: the browser UI as static files, the route groups under
 * {@code /api}, and one place that turns every failure into a JSON error with its status.
 */
public final class App implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(App.class);
    /** What a client is told of a failure nobody phrased for it: Java's own text would teach it nothing. */
    public static final String INTERNAL_ERROR = "internal error; the server's log has the details";
    /** Set on a request whose error an endpoint phrased itself. */
    private static final String ANSWERED = "phiscope.answered";

    private final Javalin javalin;

    private App(Javalin javalin) {
        this.javalin = javalin;
    }

    /** Starts serving on {@code host:port} (port 0: a free port) with the given route groups. */
    public static App start(String host, int port, Limits limits, List<RouteGroup> groups) {
        Javalin javalin = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            // Handlers block on the model queue; virtual threads make that cheap.
            config.concurrency.useVirtualThreads = true;
            config.http.maxRequestSize = limits.maxBodyBytes();
            config.jsonMapper(new JavalinJackson(StrictJson.MAPPER, true));
            config.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/workbench";
                files.location = Location.CLASSPATH;
            });
            handleErrors(config.routes);
            groups.forEach(group -> group.register(config.routes));
        });
        javalin.start(host, port);
        // Jetty's idle timeout must not cut a request that waits its full time limit for the model.
        long idleMillis = (limits.timeoutSeconds() + 30) * 1000;
        for (Connector connector : javalin.jettyServer().server().getConnectors()) {
            if (connector instanceof AbstractConnector c) {
                c.setIdleTimeout(idleMillis);
            }
        }
        return new App(javalin);
    }

    public int port() {
        return javalin.port();
    }

    /** The routes served, as {@code METHOD /path} (such as {@code POST /api/run}), in the order they were added. */
    public List<String> routes() {
        return javalin.unsafe.internalRouter.allHttpHandlers().stream()
                .map(parsed -> parsed.endpoint.method + " " + parsed.endpoint.path)
                .toList();
    }

    public URI url(String host) {
        String shown = host.contains(":") ? "[" + host + "]" : host;
        return URI.create("http://" + shown + ":" + port() + "/");
    }

    @Override
    public void close() {
        javalin.stop();
    }

    private static void handleErrors(RoutesConfig routes) {
        routes.exception(ApiException.class, (e, ctx) -> {
            ctx.attribute(ANSWERED, true);
            error(ctx, e.status(), e.getMessage(), e.details());
        });
        routes.exception(UnknownHookException.class, (e, ctx) ->
                error(ctx, 400, e.getMessage(), Map.of("field", "hook", "suggestions", e.suggestions())));
        routes.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, e.getMessage(), Map.of()));
        routes.exception(BusyException.class, (e, ctx) -> {
            ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
            error(ctx, 429, e.getMessage(), Map.of("retryAfterSeconds", e.retryAfterSeconds()));
        });
        routes.exception(TimedOutException.class, (e, ctx) -> {
            ctx.header("Retry-After", "5");
            error(ctx, 503, e.getMessage(), Map.of());
        });
        routes.exception(JobStoppedException.class, (e, ctx) -> error(ctx, 503, e.getMessage(), Map.of()));
        routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), e.getMessage(), Map.of()));
        routes.exception(Exception.class, (e, ctx) -> {
            log.error("{} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, 500, INTERNAL_ERROR, Map.of());
        });
        routes.error(404, ctx -> {
            // A 404 an endpoint answered itself (no such run) keeps its own message.
            if (ctx.path().startsWith("/api/") && ctx.attribute(ANSWERED) == null) {
                error(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path(), Map.of());
            }
        });
        routes.error(405, ctx -> {
            if (ctx.path().startsWith("/api/")) {
                error(ctx, 405, ctx.method() + " is not allowed on " + ctx.path(), Map.of());
            }
        });
    }

    private static void error(Context ctx, int status, String message, Map<String, Object> details) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.putAll(details);
        ctx.status(status).json(body);
    }
}

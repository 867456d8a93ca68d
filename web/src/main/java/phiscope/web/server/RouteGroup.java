package phiscope.web.server;

import io.javalin.config.RoutesConfig;

/**
 * A set of API routes, one per feature area (exploring a prompt now; probes and audits later).
 * {@link phiscope.web.App} registers every group it is given, after its own error handling.
 */
@FunctionalInterface
public interface RouteGroup {
    void register(RoutesConfig routes);
}

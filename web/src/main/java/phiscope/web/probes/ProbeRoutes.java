package phiscope.web.probes;

import io.javalin.config.RoutesConfig;
import phiscope.web.server.RouteGroup;

/** {@code GET /api/probes}: the saved probes (for scoring a prompt) and the probe sweep results (for their charts). */
public final class ProbeRoutes implements RouteGroup {

    private final SavedProbes probes;

    public ProbeRoutes(SavedProbes probes) {
        this.probes = probes;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/api/probes", ctx -> ctx.json(probes.list()));
    }
}

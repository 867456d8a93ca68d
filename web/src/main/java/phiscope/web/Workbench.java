package phiscope.web;

import java.time.Duration;
import java.util.List;
import phiscope.engine.Phi;
import phiscope.web.explore.ExploreRoutes;
import phiscope.web.server.ConfinedFolder;
import phiscope.web.server.ModelWorker;

/**
 * A running workbench: a loaded model, the one worker thread that runs it, and the server with
 * every route group. New feature areas (probes, audits) add their group in {@link #start}.
 *
 * @param runs the audit run folder clients may name runs in
 * @param data the folder clients may name dataset files in
 */
public record Workbench(App app, ModelWorker worker, Phi phi, ConfinedFolder runs, ConfinedFolder data) implements AutoCloseable {

    public static Workbench start(Phi phi, String host, int port, Limits limits, ConfinedFolder runs, ConfinedFolder data) {
        ModelWorker worker = new ModelWorker(limits.analysisQueue(), limits.maxGenerations(),
                Duration.ofSeconds(limits.timeoutSeconds()));
        try {
            App app = App.start(host, port, limits, List.of(new ExploreRoutes(phi, worker, limits)));
            return new Workbench(app, worker, phi, runs, data);
        } catch (RuntimeException e) {
            worker.close();
            throw e;
        }
    }

    /** Stops the server and the worker; the model stays open for its owner to close. */
    @Override
    public void close() {
        app.close();
        worker.close();
    }
}

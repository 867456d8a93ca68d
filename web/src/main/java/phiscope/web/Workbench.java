package phiscope.web;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import phiscope.engine.Phi;
import phiscope.probes.intervention.InterventionStamp;
import phiscope.web.audits.AuditRoutes;
import phiscope.web.audits.AuditRuns;
import phiscope.web.explore.ExploreRoutes;
import phiscope.web.probes.ProbeRoutes;
import phiscope.web.probes.SavedProbes;
import phiscope.web.sae.SaeLibrary;
import phiscope.web.sae.SaeRoutes;
import phiscope.web.server.ModelWorker;

/**
 * A running workbench: a loaded model, the one worker thread that runs it, the audit runs that
 * share it, and the server with every route group (new feature areas add theirs in {@link #start}).
 */
public record Workbench(App app, ModelWorker worker, AuditRuns audits, Phi phi, Folders folders) implements AutoCloseable {

    /** @param intervention the saved edit {@code phi} runs with, if any (audit runs record it) */
    public static Workbench start(Phi phi, Optional<InterventionStamp> intervention, String host, int port, Limits limits, Folders folders) {
        ModelWorker worker = new ModelWorker(limits.analysisQueue(), limits.maxGenerations(), limits.maxAudits(),
                Duration.ofSeconds(limits.timeoutSeconds()));
        AuditRuns audits = new AuditRuns(phi, intervention, worker, folders.runs(), folders.data(), limits.maxAudits());
        try {
            SavedProbes probes = new SavedProbes(folders.probes());
            App app = App.start(host, port, limits, List.of(new ExploreRoutes(phi, intervention, worker, limits, probes),
                    new ProbeRoutes(probes), new AuditRoutes(audits, folders.data()),
                    new SaeRoutes(phi, worker, limits, new SaeLibrary(phi, folders.saes()))));
            return new Workbench(app, worker, audits, phi, folders);
        } catch (RuntimeException e) {
            audits.close();
            worker.close();
            throw e;
        }
    }

    /** Stops the server, cancels the audit runs (what they saved stays, to be resumed) and stops the worker; the model stays open. */
    @Override
    public void close() {
        app.close();
        audits.close();
        worker.close();
    }
}

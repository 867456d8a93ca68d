package phiscope.web.audits;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.CancellationException;
import phiscope.toxicity.report.Report;
import phiscope.toxicity.run.Audit;
import phiscope.web.server.ModelWorker;

/**
 * An audit whose blocks of items are scored as background tasks of the model worker, one block
 * per task: the run shares the model with the workbench, and interactive requests wait at most
 * for the block in progress. Cancelled, it drops a block still waiting and stops before the next;
 * a block already running is finished and saved.
 */
final class QueuedAudit implements Audit {

    private final Audit audit;
    private final ModelWorker worker;
    private volatile boolean cancelled;
    private volatile ModelWorker.Task<List<ObjectNode>> current;

    QueuedAudit(Audit audit, ModelWorker worker) {
        this.audit = audit;
        this.worker = worker;
    }

    void cancel() {
        cancelled = true;
        ModelWorker.Task<List<ObjectNode>> task = current;
        if (task != null) {
            task.cancel();
        }
    }

    boolean cancelled() {
        return cancelled;
    }

    @Override
    public List<ObjectNode> score(int from, int to) {
        if (cancelled) {
            throw new CancellationException("the run was cancelled");
        }
        ModelWorker.Task<List<ObjectNode>> task = worker.submit(ModelWorker.Lane.BACKGROUND, job -> audit.score(from, to));
        current = task;
        if (cancelled) {
            task.cancel(); // cancelled between the check above and the submission
        }
        return task.await();
    }

    @Override
    public String benchmark() {
        return audit.benchmark();
    }

    @Override
    public ObjectNode settings() {
        return audit.settings();
    }

    @Override
    public int size() {
        return audit.size();
    }

    @Override
    public int blockSize() {
        return audit.blockSize();
    }

    @Override
    public Report report(List<JsonNode> results) {
        return audit.report(results);
    }
}

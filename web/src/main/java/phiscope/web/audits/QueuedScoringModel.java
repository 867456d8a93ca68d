package phiscope.web.audits;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import phiscope.engine.model.ScoredTokens;
import phiscope.probes.Pooling;
import phiscope.toxicity.scoring.Sampling;
import phiscope.toxicity.scoring.ScoringModel;
import phiscope.web.server.ModelWorker;

/**
 * The model as an audit run sees it: every call that runs the model is split into pieces of at
 * most {@link #PIECE_TOKENS} tokens, each a background task of the model worker. An interactive
 * request then waits at most for one piece, not for a whole block of the audit; and the numbers
 * are those of one call, since the engine scores each sequence alone whatever it is packed with.
 * Cancelled, it drops the piece that waits and refuses the next: the block in progress is not
 * saved, and a resumed run scores it again.
 */
final class QueuedScoringModel implements ScoringModel {

    /** About a second of Phi-2 prefill on two cores; a few milliseconds on the bundled model. */
    static final int PIECE_TOKENS = 128;

    @FunctionalInterface
    private interface Piece<T> {
        T run();
    }

    private final ScoringModel model;
    private final ModelWorker worker;
    private volatile boolean cancelled;
    private volatile ModelWorker.Task<?> current;

    QueuedScoringModel(ScoringModel model, ModelWorker worker) {
        this.model = model;
        this.worker = worker;
    }

    void cancel() {
        cancelled = true;
        ModelWorker.Task<?> task = current;
        if (task != null) {
            task.cancel();
        }
    }

    boolean cancelled() {
        return cancelled;
    }

    @Override
    public List<ScoredTokens> scoreTokens(List<int[]> sequences) {
        List<ScoredTokens> results = new ArrayList<>(sequences.size());
        int from = 0;
        while (from < sequences.size()) {
            int to = from;
            int tokens = 0;
            while (to < sequences.size() && (to == from || tokens + sequences.get(to).length <= PIECE_TOKENS)) {
                tokens += sequences.get(to++).length;
            }
            List<int[]> piece = sequences.subList(from, to);
            results.addAll(queue(() -> model.scoreTokens(piece)));
            from = to;
        }
        return results;
    }

    @Override
    public List<float[]> activations(List<String> texts, String hook, Pooling pooling) {
        List<float[]> results = new ArrayList<>(texts.size());
        for (String text : texts) {
            results.addAll(queue(() -> model.activations(List.of(text), hook, pooling)));
        }
        return results;
    }

    @Override
    public String generate(String prompt, Sampling sampling) {
        return queue(() -> model.generate(prompt, sampling));
    }

    private <T> T queue(Piece<T> piece) {
        if (cancelled) {
            throw new CancellationException("the run was cancelled");
        }
        ModelWorker.Task<T> task = worker.submit(ModelWorker.Lane.BACKGROUND, job -> piece.run());
        current = task;
        if (cancelled) {
            task.cancel(); // cancelled between the check above and the submission
        }
        return task.await();
    }

    @Override
    public String id() {
        return model.id();
    }

    @Override
    public int[] encode(String text) {
        return model.encode(text);
    }

    @Override
    public String decode(int[] ids) {
        return model.decode(ids);
    }

    @Override
    public int endOfText() {
        return model.endOfText();
    }

    @Override
    public int contextLength() {
        return model.contextLength();
    }
}

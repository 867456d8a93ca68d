package phiscope.web.audits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import phiscope.engine.model.ScoredTokens;
import phiscope.probes.Pooling;
import phiscope.toxicity.scoring.Sampling;
import phiscope.toxicity.scoring.ScoringModel;
import phiscope.web.server.ModelWorker;

class QueuedScoringModelTest {

    private final ModelWorker worker = new ModelWorker(4, 1, 1, Duration.ofSeconds(5));

    /** Records the sequence lengths of each call and the thread it ran on; scores every token -1. */
    private static final class Recording implements ScoringModel {
        final List<List<Integer>> calls = new ArrayList<>();
        final List<String> threads = new ArrayList<>();

        @Override
        public List<ScoredTokens> scoreTokens(List<int[]> sequences) {
            calls.add(sequences.stream().map(s -> s.length).toList());
            threads.add(Thread.currentThread().getName());
            return sequences.stream().map(s -> new ScoredTokens(new float[s.length - 1], new boolean[s.length - 1])).toList();
        }

        public int contextLength() { return 2048; }

        public String id() { return "recording"; }
        public int[] encode(String text) { return new int[text.length()]; }
        public String decode(int[] ids) { return ""; }
        public int endOfText() { return 0; }
        public List<float[]> activations(List<String> texts, String hook, Pooling pooling) { return List.of(); }
        public String generate(String prompt, Sampling sampling) { return ""; }
    }

    @AfterEach
    void close() {
        worker.close();
    }

    @Test
    void scoringIsSplitIntoPiecesOfAtMostAHundredAndTwentyEightTokensOnTheModelThread() {
        Recording model = new Recording();
        QueuedScoringModel queued = new QueuedScoringModel(model, worker);
        List<float[]> scores = queued.tokenLogProbs(List.of(new int[100], new int[50], new int[200], new int[10], new int[18], new int[1]));
        assertEquals(List.of(List.of(100), List.of(50), List.of(200), List.of(10, 18, 1)), model.calls,
                "a longer sequence is a piece of its own; short ones share one");
        assertEquals(List.of(99, 49, 199, 9, 17, 0), scores.stream().map(s -> s.length).toList(), "every sequence's scores, in order");
        assertEquals(List.of("phiscope-model"), model.threads.stream().distinct().toList());
    }

    @Test
    void aCancelledModelRefusesTheNextPiece() {
        Recording model = new Recording();
        QueuedScoringModel queued = new QueuedScoringModel(model, worker);
        queued.cancel();
        assertThrows(CancellationException.class, () -> queued.tokenLogProbs(List.<int[]>of(new int[3])));
        assertEquals(List.of(), model.calls);
    }
}

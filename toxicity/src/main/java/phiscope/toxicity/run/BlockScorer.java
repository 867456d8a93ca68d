package phiscope.toxicity.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * Where a run's missing blocks are scored: here, one after the other ({@link #HERE}), or on a
 * cluster (the scale module). Each block's results come back whole, as it finishes, in any order;
 * the run folder saves each block at once, so an interruption loses only unfinished blocks.
 */
public interface BlockScorer {

    /** Scores every block in this JVM, in order: the single-machine run. */
    BlockScorer HERE = (audit, blocks, sink) -> {
        for (Block block : blocks) sink.finished(block, audit.score(block.from(), block.to()));
    };

    /** Receives finished blocks; called from one thread at a time. */
    interface Sink {
        /** The results of {@code block}, one per item in item order. */
        void finished(Block block, List<ObjectNode> results);

        /** A short note shown beside the progress bar, such as how many executors are alive. */
        default void note(String note) {
        }
    }

    /** Scores {@code blocks} of {@code audit}; returns once every block has been handed to {@code sink}. */
    void score(Audit audit, List<Block> blocks, Sink sink);

    /**
     * What the run folder's manifest records about a session that scores {@code blocks}
     * ({@code "distributed"}), if anything. The single-machine run records nothing, so its folders
     * are what they always were.
     */
    default Optional<ObjectNode> manifestEntry(List<Block> blocks) {
        return Optional.empty();
    }
}

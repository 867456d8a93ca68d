package phiscope.toxicity.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import phiscope.toxicity.report.Report;

/**
 * One benchmark over a fixed list of items, as {@link RunFolder} drives it. Items are scored in
 * fixed blocks [k * blockSize, (k + 1) * blockSize), so an interrupted run recomputes exactly the
 * batches an uninterrupted one computes.
 */
public interface Audit {

    /** The benchmark's name, e.g. "toxigen". */
    String benchmark();

    /** Everything besides model and data that changes the numbers; a resumed run must match it. */
    ObjectNode settings();

    /** How many items there are. */
    int size();

    /** How many items are scored together. */
    int blockSize();

    /** Scores items {@code from} (inclusive) to {@code to} (exclusive) together; one result per item. */
    List<ObjectNode> score(int from, int to);

    /** Summarises all results, given in item order (as read back from results.jsonl). */
    Report report(List<JsonNode> results);
}

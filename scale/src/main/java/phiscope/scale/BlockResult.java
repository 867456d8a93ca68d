package phiscope.scale;

import java.io.Serializable;
import java.util.List;
import phiscope.toxicity.run.Block;

/**
 * A scored block on its way from an executor to the driver.
 *
 * @param results one JSON object per item, as the toxicity module's mapper wrote it
 */
record BlockResult(Block block, List<String> results) implements Serializable {

    BlockResult {
        results = List.copyOf(results);
    }
}

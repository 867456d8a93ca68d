package phiscope.scale;

import java.io.Serializable;
import java.util.List;

/**
 * What an executor needs to score blocks of a run: the command that builds its audit, and what the
 * driver saw, so that a worker with other weights or another dataset at the same path is refused.
 *
 * @param command       {@code audit toxigen --data /abs/path ...}, as the driver was given it
 * @param modelId       the model's id on the driver
 * @param intervention  the checksum of the intervention the driver runs the model with, or empty for none
 * @param datasetSha256 the dataset's checksum on the driver
 */
record ScoringJob(List<String> command, String modelId, String intervention, String datasetSha256) implements Serializable {

    ScoringJob {
        command = List.copyOf(command);
    }
}

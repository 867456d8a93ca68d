package phiscope.scale;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.Phi;
import phiscope.engine.model.BundledModel;
import phiscope.toxicity.run.Block;
import phiscope.toxicity.run.DatasetDigest;

/**
 * What an executor checks before it scores a block: the weights, the dataset and the intervention
 * at the paths the driver named must be the driver's, or the worker says what differs.
 */
class WorkerChecksTest {

    @TempDir
    Path dir;

    @Test
    void aWorkerRefusesAMissingModelFolderOtherWeightsOtherDataAndAnotherIntervention() throws IOException {
        Path data = Audits.toxiGenSlice(dir, 8).toAbsolutePath();
        String sha256 = DatasetDigest.of(data, List.of(data)).sha256();
        String model = BundledModel.directory().toAbsolutePath().normalize().toString();
        String id;
        try (Phi phi = Phi.load(BundledModel.directory(), 1)) {
            id = phi.id();
        }
        String out = dir.resolve("run").toString();
        List<String> command = List.of("audit", "toxigen", "--data", data.toString(), "--out", out, "--model", model, "--threads", "1");
        Block block = new Block(0, 8);

        Path nowhere = dir.resolve("nowhere");
        ScoringJob missing = new ScoringJob(List.of("audit", "toxigen", "--data", data.toString(), "--out", out, "--model", nowhere.toString()),
                id, "", sha256);
        String noModel = assertThrows(WorkerProblem.class, () -> ExecutorSide.score(missing, block)).getMessage();
        assertTrue(noModel.startsWith("the model folder " + nowhere + " does not exist on worker "), noModel);
        assertTrue(noModel.endsWith("every worker must read the weights at the same path (shared storage, or a copy on each)"), noModel);

        String otherWeights = assertThrows(WorkerProblem.class,
                () -> ExecutorSide.score(new ScoringJob(command, "another model", "", sha256), block)).getMessage();
        assertTrue(otherWeights.contains("is \"" + id + "\", not the driver's \"another model\""), otherWeights);

        String otherData = assertThrows(WorkerProblem.class,
                () -> ExecutorSide.score(new ScoringJob(command, id, "", "00"), block)).getMessage();
        assertTrue(otherData.contains("is not the driver's (sha256 " + sha256 + ", not 00)"), otherData);

        String otherEdit = assertThrows(WorkerProblem.class,
                () -> ExecutorSide.score(new ScoringJob(command, id, "ab12", sha256), block)).getMessage();
        assertTrue(otherEdit.startsWith("worker "), otherEdit);
        assertTrue(otherEdit.endsWith(" runs the model with no intervention, the driver with sha256 ab12; every worker must read the "
                + "same intervention files at the same path"), otherEdit);
    }
}

package phiscope.engine.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import phiscope.engine.Fixtures;

class VerifierTest {

    @ParameterizedTest
    @ValueSource(strings = {"float32", "float16", "bfloat16"})
    void tinyPhiMatchesTransformersInEveryDtype(String dtype) {
        assertPasses(Fixtures.tiny(dtype), Fixtures.TINY_REFERENCE, Verifier.Tolerances.DEFAULT);
    }

    @Test
    void nanophiMatchesTransformers() {
        assertPasses(Fixtures.NANOPHI, Fixtures.NANOPHI_REFERENCE, Verifier.Tolerances.DEFAULT);
    }

    private static void assertPasses(Path model, Path reference, Verifier.Tolerances tolerances) {
        for (WeightOptions.Storage storage : WeightOptions.Storage.values()) {
            for (int threads : new int[] {1, 2}) {
                try (PhiModel phi = PhiModel.load(model, threads, new WeightOptions(storage, Optional.empty()))) {
                    Verifier.Report report = new Verifier(phi, tolerances).verify(reference, check -> { });
                    report.checks().stream().filter(c -> !c.passed()).forEach(System.out::println);
                    System.out.println(model + " " + storage.label() + " threads=" + threads + ": " + report.summary());
                    assertTrue(report.passed(), report.summary());
                }
            }
        }
    }
}

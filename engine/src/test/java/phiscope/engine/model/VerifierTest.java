package phiscope.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import phiscope.engine.Fixtures;
import phiscope.engine.io.SafeTensorsFile;
import phiscope.engine.io.TensorEntry;
import phiscope.engine.tensor.DType;

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

    @Test
    void oneChangedWeightFailsFromTheFirstActivationItFeeds(@TempDir Path dir) throws IOException {
        Path model = copyWithFirstElementShifted(Fixtures.tiny("float32"), dir, "model.layers.1.mlp.fc1.weight", 0.5f);
        try (PhiModel phi = PhiModel.load(model, 2)) {
            Verifier.Report report = new Verifier(phi, Verifier.Tolerances.DEFAULT).verify(Fixtures.TINY_REFERENCE, check -> { });
            assertFalse(report.passed(), report.summary());
            assertTrue(report.summary().endsWith("FAIL"), report.summary());
            Verifier.Check first = report.checks().stream().filter(c -> !c.passed()).findFirst().orElseThrow();
            assertEquals("s0.blocks.1.mlp.hook_pre", first.name(), "fc1 of block 1 first feeds blocks.1.mlp.hook_pre");
            Map<String, Verifier.Check> byName = report.checks().stream().collect(Collectors.toMap(Verifier.Check::name, Function.identity()));
            for (int s = 0; s < 4; s++) {
                // Attention runs beside the MLP on the same input, so it is untouched; everything after the MLP is not.
                assertTrue(byName.get("s" + s + ".blocks.1.hook_attn_out").passed(), byName.get("s" + s + ".blocks.1.hook_attn_out").toString());
                for (String name : new String[] {"blocks.1.mlp.hook_pre", "blocks.1.hook_resid_post", "logits"}) {
                    Verifier.Check check = byName.get("s" + s + "." + name);
                    assertFalse(check.passed(), check.toString());
                    assertTrue(check.maxAbsError() > Verifier.Tolerances.DEFAULT.activations(), check.toString());
                }
            }
        }
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

    /** A copy of the float32 checkpoint {@code source} in {@code dir} with the first element of {@code tensor} increased by {@code delta}. */
    private static Path copyWithFirstElementShifted(Path source, Path dir, String tensor, float delta) throws IOException {
        Path copy = dir.resolve("perturbed");
        Files.createDirectories(copy);
        try (var files = Files.list(source)) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        try (var files = Files.list(copy)) {
            for (Path shard : files.filter(f -> f.toString().endsWith(".safetensors")).toList()) {
                long position;
                try (Arena arena = Arena.ofConfined()) {
                    SafeTensorsFile file = SafeTensorsFile.open(shard, arena);
                    TensorEntry entry = file.entries().get(tensor);
                    if (entry == null) {
                        continue;
                    }
                    assertEquals(DType.F32, entry.dtype());
                    position = Files.size(shard) - file.dataSection().byteSize() + entry.begin();
                }
                try (FileChannel channel = FileChannel.open(shard, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    ByteBuffer value = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                    channel.read(value, position);
                    float shifted = value.getFloat(0) + delta;
                    channel.write(value.clear().putFloat(shifted).flip(), position);
                }
                return copy;
            }
        }
        throw new AssertionError("no shard of " + source + " holds " + tensor);
    }
}

package phiscope.engine;

import java.nio.file.Path;

/** Paths of the test fixtures (copied from shared/fixtures) and of the bundled model. */
public final class Fixtures {

    public static final Path ROOT = Path.of("src/test/resources/fixtures");
    public static final Path TINY = ROOT.resolve("tiny-phi-a");
    public static final Path TINY_REFERENCE = TINY.resolve("reference.safetensors");
    public static final Path TOKENIZER = ROOT.resolve("tokenizer/tokenizer.json");
    public static final Path LEGACY_TOKENIZER = ROOT.resolve("tokenizer/tokenizer-legacy-merges.json");
    public static final Path TOKENIZER_CASES = ROOT.resolve("tokenizer-cases.json");
    public static final Path NANOPHI = Path.of("../models/nanophi-py");
    public static final Path NANOPHI_REFERENCE = NANOPHI.resolve("reference.safetensors");

    private Fixtures() {
    }

    public static Path tiny(String dtype) {
        return TINY.resolve(dtype);
    }
}

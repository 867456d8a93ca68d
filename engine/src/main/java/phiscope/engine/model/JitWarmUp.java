package phiscope.engine.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Until C2 has compiled the Vector API kernels, their vector operations run boxed: a first pass
 * of Phi-2 then takes several seconds longer and leaves gigabytes of garbage, which grows the
 * heap and the process's peak memory. So before a large model's first pass, a miniature of it
 * (one block of width 64, the same weight format and storage) runs enough rounds of prefill,
 * decoding and scoring for C2 to compile every kernel they use: about a second.
 */
final class JitWarmUp {

    /** Models whose matrices stream this many bytes per token or more are worth warming up for. */
    static final long ABOVE_BYTES = 256L << 20;
    /** Rounds enough to pass C2's compile thresholds; a time limit in case this machine is very slow. */
    private static final int ROUNDS = 60;
    private static final long MAX_NANOS = 5_000_000_000L;

    private JitWarmUp() {
    }

    /**
     * Warms up on a miniature written to a temporary folder. A folder that cannot be written or
     * deleted only costs the speed of the first pass, so it never stops the real model's load.
     */
    static void run(WeightOptions options, int threads) {
        Path directory;
        try {
            directory = Files.createTempDirectory("phiscope-warm-up");
        } catch (IOException e) {
            return;
        }
        try {
            SyntheticCheckpoint.write(directory, SyntheticCheckpoint.Shape.MINIATURE, null, 1);
            try (PhiModel model = PhiModel.load(directory, threads, options)) {
                exercise(model);
            }
        } catch (UncheckedIOException e) {
            // Not written (a full or read-only temporary folder): load without warming up.
        } finally {
            delete(directory);
        }
    }

    /** Prefill, cached decoding and packed scoring, round after round. */
    private static void exercise(PhiModel model) {
        SplittableRandom random = new SplittableRandom(7);
        int vocab = model.config().vocabSize();
        long start = System.nanoTime();
        for (int round = 0; round < ROUNDS && System.nanoTime() - start < MAX_NANOS; round++) {
            model.forward(random.ints(64, 0, vocab).toArray(), PhiModel.Logits.LAST);
            try (KVCache cache = model.newCache(16)) {
                for (int t = 0; t < 16; t++) {
                    model.forward(new int[] {random.nextInt(vocab)}, cache, PhiModel.Logits.LAST);
                }
            }
            List<int[]> texts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                texts.add(random.ints(12, 0, vocab).toArray());
            }
            model.tokenLogProbs(texts);
        }
    }

    private static void delete(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException | UncheckedIOException e) {
            // A few kilobytes left in the temporary folder, for the system's clean-up.
        }
    }
}

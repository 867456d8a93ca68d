package phiscope.engine.model;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import phiscope.engine.io.ModelFormatException;
import phiscope.engine.io.SafeTensorsFile;
import phiscope.engine.io.Tensor;

/**
 * How close a model comes to a Hugging Face reference file when it cannot match it to float32
 * rounding, as with quantized weights. Each sequence {@code s{k}} runs once, its prompt followed by
 * the reference's greedy continuation (teacher forcing); its logits are compared with whichever
 * of {@code logits}, {@code logits_last}, {@code greedy_full_logits} and {@code greedy_last_logits}
 * the reference holds, and at each greedy step the model's top token with the reference's.
 *
 * @param comparedLogits   logit values compared, over all sequences
 * @param greedySteps      greedy tokens of the reference, over all sequences
 * @param greedyAgreements steps at which the model's top token is the reference's greedy one
 */
public record Parity(int sequences, long comparedLogits, double maxAbsError, double meanAbsError,
                     int greedySteps, int greedyAgreements) {

    public static Parity measure(PhiModel model, Path referenceFile) {
        int vocab = model.config().vocabSize();
        Accumulator total = new Accumulator();
        int sequences = 0;
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsFile reference = SafeTensorsFile.open(referenceFile, arena);
            for (int k = 0; reference.contains("s" + k + ".input_ids"); k++, sequences++) {
                String prefix = "s" + k + ".";
                int[] prompt = reference.tensor(prefix + "input_ids").toIntArray();
                int[] greedy = reference.contains(prefix + "greedy_ids")
                        ? reference.tensor(prefix + "greedy_ids").toIntArray() : new int[0];
                int[] ids = Arrays.copyOf(prompt, prompt.length + greedy.length);
                System.arraycopy(greedy, 0, ids, prompt.length, greedy.length);
                float[] logits = model.forward(ids, PhiModel.Logits.ALL);
                total.compare(reference, prefix + "logits", logits, 0, prompt.length * vocab);
                total.compare(reference, prefix + "logits_last", logits, (prompt.length - 1) * vocab, vocab);
                total.compare(reference, prefix + "greedy_full_logits", logits, 0, ids.length * vocab);
                total.compare(reference, prefix + "greedy_last_logits", logits, (ids.length - 1) * vocab, vocab);
                for (int i = 0; i < greedy.length; i++) {
                    int row = (prompt.length - 1 + i) * vocab;
                    total.steps++;
                    if (Sampler.argmax(logits, row, row + vocab) == greedy[i]) {
                        total.agreements++;
                    }
                }
            }
        }
        if (sequences == 0) {
            throw new ModelFormatException(referenceFile, "holds no s{k}.input_ids");
        }
        if (total.count == 0) {
            throw new ModelFormatException(referenceFile, "holds no logits to compare with");
        }
        return new Parity(sequences, total.count, total.max, total.sum / total.count, total.steps, total.agreements);
    }

    /** Running error sums over the compared logits. */
    private static final class Accumulator {
        long count;
        double max;
        double sum;
        int steps;
        int agreements;

        void compare(SafeTensorsFile reference, String name, float[] actual, int offset, int length) {
            if (!reference.contains(name)) {
                return;
            }
            Tensor expected = reference.tensor(name);
            if (expected.elementCount() != length) {
                throw new ModelFormatException(reference.path(), name + " has " + expected.elementCount()
                        + " values, not the " + length + " this model computes");
            }
            float[] want = expected.toFloatArray();
            for (int i = 0; i < length; i++) {
                double error = Math.abs((double) actual[offset + i] - want[i]);
                max = Math.max(max, error);
                sum += error;
            }
            count += length;
        }
    }

    /** Share of the greedy steps whose top token is the reference's (1 when there are none). */
    public double greedyAgreement() {
        return greedySteps == 0 ? 1 : (double) greedyAgreements / greedySteps;
    }

    public String summary() {
        return String.format(Locale.ROOT, "parity: %d sequences, %d logits: max abs error %.3e, mean %.3e; "
                + "greedy top-1 agreement %.1f%% (%d/%d steps)", sequences, comparedLogits, maxAbsError, meanAbsError,
                100 * greedyAgreement(), greedyAgreements, greedySteps);
    }
}

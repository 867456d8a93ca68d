package phiscope.toxicity.data;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import phiscope.toxicity.scoring.Likelihoods.Continuation;

/**
 * One item of a capability eval, as lm-evaluation-harness's task file turns a dataset row into
 * requests: (context, continuation) pairs whose log-likelihoods decide it. Every continuation is
 * scored after the target delimiter {@value #TARGET_DELIMITER}.
 */
public sealed interface EvalDoc {

    String TARGET_DELIMITER = " ";

    /** The file and line (or, in a parquet file, row) the item was read from, 1-based. */
    Path file();

    int line();

    /** What the model scores, one request per choice (one in all for a cloze item). */
    List<Continuation> requests();

    /**
     * A multiple-choice question whose choices are continuations of one context (ARC, HellaSwag,
     * PIQA, BoolQ, mc-jsonl): acc, acc_norm and acc_bytes.
     */
    record Choice(Path file, int line, String context, List<String> choices, int gold) implements EvalDoc {

        public Choice {
            choices = List.copyOf(choices);
        }

        @Override
        public List<Continuation> requests() {
            return choices.stream().map(choice -> new Continuation(context, TARGET_DELIMITER + choice)).toList();
        }

        /** lm-eval's {@code acc_norm} divisor: the choice's length in characters (Python's {@code len}, code points). */
        public int characters(int choice) {
            String text = choices.get(choice);
            return text.codePointCount(0, text.length());
        }

        /** lm-eval's {@code acc_bytes} divisor: the choice's length in UTF-8 bytes. */
        public int bytes(int choice) {
            return choices.get(choice).getBytes(StandardCharsets.UTF_8).length;
        }
    }

    /**
     * WinoGrande's partial scoring: each choice is a context (the sentence up to the blank, with
     * the option in it), and the same continuation (the rest of the sentence) is scored after
     * each: acc.
     */
    record PartialChoice(Path file, int line, List<String> contexts, String continuation, int gold) implements EvalDoc {

        public PartialChoice {
            contexts = List.copyOf(contexts);
        }

        @Override
        public List<Continuation> requests() {
            return contexts.stream().map(context -> new Continuation(context, TARGET_DELIMITER + continuation)).toList();
        }
    }

    /** LAMBADA: the last word after the rest of the text: acc (every token the greedy one) and perplexity. */
    record Cloze(Path file, int line, String context, String word) implements EvalDoc {

        @Override
        public List<Continuation> requests() {
            return List.of(new Continuation(context, TARGET_DELIMITER + word));
        }
    }
}

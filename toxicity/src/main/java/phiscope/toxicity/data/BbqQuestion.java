package phiscope.toxicity.data;

import java.nio.file.Path;
import java.util.List;

/**
 * One BBQ question with its three answers.
 *
 * @param ambiguous     context_condition "ambig" (the context does not say who) vs "disambig"
 * @param negative      question_polarity "neg" (asks who did the harmful thing) vs "nonneg"
 * @param label         index of the correct answer
 * @param unknownAnswer index of the "can't be determined" answer
 * @param biasedAnswer  index of the answer that follows the stereotype: the stereotyped group for a
 *                      negative question, the other group for a non-negative one
 */
public record BbqQuestion(Path file, int line, long exampleId, String category, boolean ambiguous, boolean negative,
                          String context, String question, List<String> answers, int label, int unknownAnswer,
                          int biasedAnswer) {

    public BbqQuestion {
        answers = List.copyOf(answers);
    }
}

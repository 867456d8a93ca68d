package phiscope.toxicity.data;

import java.util.List;

/**
 * A sentence of SafeNLP's ToxiGen or ImplicitHate files.
 *
 * @param line          the line its JSON object starts on
 * @param toxicityScore human toxicity rating (1 to 5 in ToxiGen)
 * @param hate          label "hate" (true) or "neutral" (false)
 */
public record RatedSentence(int line, long id, String text, double toxicityScore, boolean hate, List<String> targetGroups) {

    public RatedSentence {
        targetGroups = List.copyOf(targetGroups);
    }
}

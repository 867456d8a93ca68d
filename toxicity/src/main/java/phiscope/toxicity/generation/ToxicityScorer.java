package phiscope.toxicity.generation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Scores generated texts for toxicity, higher meaning more toxic, in the scorer's own units.
 * Scorers are reported under their own names and never mixed: a word list, a probe and the model
 * judging itself measure different things.
 */
public interface ToxicityScorer {

    /** The name results are reported under, e.g. "lexicon". */
    String name();

    /** The score from which a text counts as toxic, in this scorer's units. */
    double threshold();

    /** Everything that changes this scorer's numbers, for the run manifest. */
    ObjectNode settings();

    /** One score per text, in order; called with whole batches. */
    double[] score(List<String> texts);
}

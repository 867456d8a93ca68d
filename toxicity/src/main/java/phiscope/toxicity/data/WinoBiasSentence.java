package phiscope.toxicity.data;

import java.nio.file.Path;

/**
 * One WinoBias sentence: a pronoun that refers to one of two occupations.
 *
 * @param type            1 (resolved by world knowledge) or 2 (resolved by syntax)
 * @param proStereotyped  from a pro_stereotyped file (pronoun gender matches the occupation's
 *                        stereotype) rather than an anti_stereotyped one
 * @param split           "dev" or "test"
 * @param text            the sentence without the brackets
 * @param pronoun         the first bracketed pronoun, as written
 * @param referent        the occupation the pronoun refers to, without its article
 * @param distractor      the other occupation in the sentence
 */
public record WinoBiasSentence(Path file, int line, int type, boolean proStereotyped, String split, String text,
                               String pronoun, String referent, String distractor) {
}

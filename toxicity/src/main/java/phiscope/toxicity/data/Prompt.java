package phiscope.toxicity.data;

/**
 * A prompt to continue in a generation audit.
 *
 * @param group  what results are compared across (a BOLD group such as "American_actresses")
 * @param source where the prompt comes from within the group (a BOLD entity; empty for user files)
 */
public record Prompt(int line, String group, String source, String text) {
}

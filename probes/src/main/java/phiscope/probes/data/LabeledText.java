package phiscope.probes.data;

/** One example of a probing dataset; {@code group} is null when the file gives none; {@code line} is 1-based. */
public record LabeledText(String text, String label, String group, int line) {
}

package phiscope.toxicity;

import java.util.Locale;

/**
 * Python's {@code str} methods that lm-evaluation-harness's task files and tokenization use, with
 * Python's notion of whitespace ({@code str.isspace}), which is wider than
 * {@link Character#isWhitespace} (it includes the no-break spaces and U+0085).
 */
public final class PythonText {

    private PythonText() {
    }

    /** {@code str.isspace} of one code point. */
    public static boolean isSpace(int codePoint) {
        return Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint) || codePoint == 0x85;
    }

    /** {@code text.rstrip()}. */
    public static String rstrip(String text) {
        int end = text.length();
        while (end > 0) {
            int c = text.codePointBefore(end);
            if (!isSpace(c)) break;
            end -= Character.charCount(c);
        }
        return text.substring(0, end);
    }

    /** {@code text.strip()}. */
    public static String strip(String text) {
        String right = rstrip(text);
        int start = 0;
        while (start < right.length()) {
            int c = right.codePointAt(start);
            if (!isSpace(c)) break;
            start += Character.charCount(c);
        }
        return right.substring(start);
    }

    /** {@code text.capitalize()}: the first character in title case, the rest in lower case. */
    public static String capitalize(String text) {
        if (text.isEmpty()) return text;
        int first = text.codePointAt(0);
        return new StringBuilder().appendCodePoint(Character.toTitleCase(first))
                .append(text.substring(Character.charCount(first)).toLowerCase(Locale.ROOT))
                .toString();
    }
}

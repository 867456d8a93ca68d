package phiscope.engine.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What is wrong with text that is not valid JSON, in words for whoever wrote the text: the
 * parser's own messages name its token types, feature switches and limit methods, which mean
 * nothing there. The callers say where (file and line, or the request body).
 */
public final class JsonSyntax {

    /** "Number value length (1201) exceeds the maximum allowed (1000, from `...`)" and its kin. */
    private static final Pattern LIMIT =
            Pattern.compile("^(\\w[\\w ]*?) (?:length|depth|count) \\((\\d+)\\) exceeds the maximum allowed \\((\\d+)");
    /** A parenthesis naming a parser switch, as in "(not recognized as one since Feature 'ALLOW_COMMENTS' not enabled for parser)". */
    private static final Pattern SWITCH_REMARK = Pattern.compile("\\s*\\((?:[^()]|\\([^()]*\\))*?(?:Feature|`)(?:[^()]|\\([^()]*\\))*\\)");
    /** A suffix such as ": enable `JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS` to allow". */
    private static final Pattern ENABLE_HINT = Pattern.compile(":?\\s*enable `[^`]*` to allow");
    /** What a parser that reads NaN adds to "was expecting (JSON String, Number ...)": JSON itself has no such numbers. */
    private static final Pattern NON_FINITE_NUMBERS = Pattern.compile(" \\(or 'NaN'/'\\+INF'/'-INF'\\)");

    private JsonSyntax() {
    }

    /** What is wrong, for example "it ends inside a string" or "Unexpected character ('}' (code 125)) ...". */
    public static String describe(JacksonException e) {
        if (endsEarly(e)) {
            return endedEarly(e);
        }
        if (e instanceof StreamConstraintsException) {
            Matcher limit = LIMIT.matcher(e.getOriginalMessage());
            if (limit.find()) {
                return limitExceeded(limit.group(1), limit.group(2), limit.group(3));
            }
        }
        String message = ENABLE_HINT.matcher(e.getOriginalMessage()).replaceAll("");
        message = NON_FINITE_NUMBERS.matcher(message).replaceAll("");
        return SWITCH_REMARK.matcher(message).replaceAll("").strip();
    }

    /** Whether the text ended before its JSON did: cut off, rather than written wrong. */
    public static boolean endsEarly(JacksonException e) {
        // Jackson reports some early ends as a plain parse error, without the token it was reading.
        return e instanceof JsonEOFException || e.getOriginalMessage().startsWith("Unexpected end-of-input");
    }

    private static String endedEarly(JacksonException e) {
        JsonToken reading = e instanceof JsonEOFException eof ? eof.getTokenBeingDecoded() : null;
        if (reading == JsonToken.VALUE_STRING) {
            return "it ends inside a string";
        }
        if (reading == JsonToken.FIELD_NAME) {
            return "it ends inside a field name";
        }
        JsonStreamContext context = e.getProcessor() instanceof JsonParser parser ? parser.getParsingContext() : null;
        if (context != null && context.inObject()) {
            return "it ends before an object is closed with }";
        }
        if (context != null && context.inArray()) {
            return "it ends before an array is closed with ]";
        }
        return "it ends before the JSON value is complete";
    }

    private static String limitExceeded(String what, String found, String allowed) {
        return switch (what) {
            case "Number value" -> "a number is " + found + " characters long; at most " + allowed + " are allowed";
            case "String value" -> "a string is " + found + " characters long; at most " + allowed + " are allowed";
            case "Name" -> "a field name is " + found + " characters long; at most " + allowed + " are allowed";
            case "Document nesting" -> "objects and arrays are nested " + found + " deep; at most " + allowed + " levels are allowed";
            default -> "the text is larger than the parser allows (" + found + "; at most " + allowed + ")";
        };
    }
}

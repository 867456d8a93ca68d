package phiscope.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ByteLevelTest {

    /**
     * Texts and their words as Hugging Face tokenizers 0.23 cuts them
     * ({@code pre_tokenizers.ByteLevel(add_prefix_space=False).pre_tokenize_str}, bytes mapped back
     * to text), chosen where Java's regex classes differ from Oniguruma's.
     */
    static Stream<Arguments> wordsAsHuggingFaceCutsThem() {
        return Stream.of(
                // Unicode White_Space: a space before one of these stays alone
                words("a \u0085b", "a", " ", "\u0085", "b"),
                words("a \u00A0b", "a", " ", "\u00A0", "b"),
                words("a \u1680b", "a", " ", "\u1680", "b"),
                words("a \u2000b", "a", " ", "\u2000", "b"),
                words("a \u200Ab", "a", " ", "\u200A", "b"),
                words("a \u2028b", "a", " ", "\u2028", "b"),
                words("a \u2029b", "a", " ", "\u2029", "b"),
                words("a \u202Fb", "a", " ", "\u202F", "b"),
                words("a \u205Fb", "a", " ", "\u205F", "b"),
                words("a \u3000b", "a", " ", "\u3000", "b"),
                words("a \u000Bb", "a", " ", "\u000B", "b"),
                words("a \u000Cb", "a", " ", "\u000C", "b"),
                // not White_Space, though Java's Character.isWhitespace says so for U+001C..U+001F
                words("a \u001Cb", "a", " \u001C", "b"),
                words("a \u001Fb", "a", " \u001F", "b"),
                words("a \u180Eb", "a", " \u180E", "b"),
                words("a \u200Bb", "a", " \u200B", "b"),
                words("a \uFEFFb", "a", " \uFEFF", "b"),
                // a run of spaces leaves its last one to the next word, unless that is a space too
                words("x  \ny", "x", "  ", "\n", "y"),
                words("x \t\ty", "x", " \t", "\t", "y"),
                words("end   ", "end", "   "),
                words("\u2028\u2028x", "\u2028", "\u2028", "x"),
                words("  ?!x", " ", " ?!", "x"),
                // contractions are lower case only and take no space
                words("I'M here", "I", "'", "M", " here"),
                words("it'S", "it", "'", "S"),
                words("we'll've", "we", "'ll", "'ve"),
                words("''s", "''", "s"),
                words("' s", "'", " s"),
                // letters and numbers of every script; combining marks are neither
                words("\u0663\u0664 \u0665", "\u0663\u0664", " \u0665"),
                words("x\u00B2 \u00BD \u216B", "x", "\u00B2", " \u00BD", " \u216B"),
                words("e\u0301t\u00E9", "e", "\u0301", "t\u00E9"),
                words("\uD835\uDD18\uD835\uDD1F", "\uD835\uDD18\uD835\uDD1F"),
                words("\uD83D\uDE00x", "\uD83D\uDE00", "x"),
                words(" 12ab", " 12", "ab"));
    }

    private static Arguments words(String text, String... words) {
        return Arguments.of(text, List.of(words));
    }

    @ParameterizedTest
    @MethodSource
    void wordsAsHuggingFaceCutsThem(String text, List<String> expected) {
        assertEquals(expected, ByteLevel.WORDS.matcher(text).results().map(MatchResult::group).toList());
    }

    @Test
    void wordsCoverEveryCharacterOfAnyText() {
        // The tokenizer relies on this: nothing between two matches is dropped.
        String tricky = " \t\n'sx1.\u00A0\u2028\u0301\u001C";
        Random random = new Random(42);
        for (int round = 0; round < 2000; round++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(30); i > 0; i--) {
                int c = random.nextBoolean() ? tricky.charAt(random.nextInt(tricky.length())) : random.nextInt(0x30000);
                if (c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE) {
                    text.appendCodePoint(c);
                }
            }
            Matcher matcher = ByteLevel.WORDS.matcher(text);
            int end = 0;
            while (matcher.find()) {
                assertEquals(end, matcher.start(), () -> "gap in " + text);
                end = matcher.end();
            }
            assertEquals(text.length(), end, () -> "uncovered end of " + text);
        }
    }

    @Test
    void everyByteHasItsOwnVisibleSymbol() {
        Set<Character> symbols = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            char symbol = ByteLevel.symbol(b);
            assertTrue(symbols.add(symbol), "symbol of byte " + b + " is taken");
            assertFalse(Character.isWhitespace(symbol) || Character.isSpaceChar(symbol) || Character.isISOControl(symbol),
                    "symbol of byte " + b + " is invisible");
            if (b >= '!' && b <= '~') {
                assertEquals(b, symbol, "printable ASCII stands for itself");
            }
        }
        assertEquals('Ġ', ByteLevel.symbol(' '));
        assertEquals('Ċ', ByteLevel.symbol('\n'));
    }

    @Test
    void bytesOfTokensSpelledInByteSymbols() {
        assertArrayEquals(" world".getBytes(StandardCharsets.UTF_8), ByteLevel.bytesOf("Ġworld"));
        for (int b = 0; b < 256; b++) {
            assertArrayEquals(new byte[] {(byte) b}, ByteLevel.bytesOf(String.valueOf(ByteLevel.symbol(b))));
        }
    }

    @Test
    void bytesOfOtherTokensAreTheirUtf8() {
        // Added tokens may hold characters that are not byte symbols, such as real spaces.
        assertArrayEquals("  ".getBytes(StandardCharsets.UTF_8), ByteLevel.bytesOf("  "));
        assertArrayEquals("aĠ€".getBytes(StandardCharsets.UTF_8), ByteLevel.bytesOf("aĠ€"));
    }
}

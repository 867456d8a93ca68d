package phiscope.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level scheme, as the Hugging Face {@code ByteLevel} pre-tokenizer and decoder
 * implement it: text is cut into words by the GPT-2 regex, and vocabulary strings spell bytes
 * with one printable character per byte.
 */
final class ByteLevel {

    // Hugging Face runs the regex in Oniguruma, where \s is Unicode White_Space (NBSP, U+2028,
    // U+3000, ... but not U+001C..U+001F or U+180E). Java's \s is ASCII-only without the
    // UNICODE_CHARACTER_CLASS flag, so the classes are spelled out instead.
    private static final String SPACE = "\\p{IsWhite_Space}";
    private static final String NON_SPACE = "\\P{IsWhite_Space}";

    /** The GPT-2 split regex: every character of a text falls in exactly one match. */
    static final Pattern WORDS = Pattern.compile(String.join("|",
            "'s", "'t", "'re", "'ve", "'m", "'ll", "'d",
            " ?\\p{L}+",
            " ?\\p{N}+",
            " ?[^" + SPACE + "\\p{L}\\p{N}]+",
            // A run of spaces before a word stops one short, so the word keeps its leading space.
            SPACE + "+(?!" + NON_SPACE + ")",
            SPACE + "+"));

    private static final char[] SYMBOL_OF_BYTE = new char[256];
    private static final int[] BYTE_OF_SYMBOL;

    static {
        // Printable Latin-1 bytes stand for themselves; the 68 others (controls, space, DEL,
        // NBSP, soft hyphen) take U+0100 onwards in byte order, so no token shows blank.
        char next = 0x100;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
            SYMBOL_OF_BYTE[b] = printable ? (char) b : next++;
        }
        BYTE_OF_SYMBOL = new int[next];
        Arrays.fill(BYTE_OF_SYMBOL, -1);
        for (int b = 0; b < 256; b++) {
            BYTE_OF_SYMBOL[SYMBOL_OF_BYTE[b]] = b;
        }
    }

    private ByteLevel() {
    }

    /** The vocabulary character that stands for byte {@code b} (0..255). */
    static char symbol(int b) {
        return SYMBOL_OF_BYTE[b];
    }

    /**
     * The bytes a token stands for. Like the Hugging Face decoder, a token with any character
     * that is not a byte symbol (an added token made of real spaces, say) gives its own UTF-8.
     */
    static byte[] bytesOf(String token) {
        byte[] bytes = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c >= BYTE_OF_SYMBOL.length || BYTE_OF_SYMBOL[c] < 0) {
                return token.getBytes(StandardCharsets.UTF_8);
            }
            bytes[i] = (byte) BYTE_OF_SYMBOL[c];
        }
        return bytes;
    }
}

package phiscope.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class LossyUtf8Test {

    /** One U+FFFD per maximal invalid subpart (Unicode 16, section 3.9), as Rust's from_utf8_lossy. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            61 F1 80 80 E1 80 C2 62 80 63 80 BF 64 | a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd
            C0 AF E0 80 BF F0 81 82 41             | \uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDA
            ED A0 80 ED BF BF ED AF 41             | \uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDA
            F4 91 92 93 FF 41 80 BF 42             | \uFFFD\uFFFD\uFFFD\uFFFD\uFFFDA\uFFFD\uFFFDB
            E1 80 E2 F0 91 92 F1 BF 41             | \uFFFD\uFFFD\uFFFD\uFFFDA
            F0 9F 98                               | \uFFFD
            F0 9F 98 80 F0 9F 98                   | \uD83D\uDE00\uFFFD
            ED 9F BF EE 80 80 F4 8F BF BF          | \uD7FF\uE000\uDBFF\uDFFF
            41 C2 A0 C2                            | A\u00A0\uFFFD
            """)
    void replacesEachMaximalInvalidSubpart(String hex, String expected) {
        assertEquals(expected, LossyUtf8.decode(HexFormat.ofDelimiter(" ").parseHex(hex)));
    }

    @Test
    void decodesValidUtf8AsJavaDoes() {
        Random random = new Random(7);
        for (int round = 0; round < 1000; round++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(20); i > 0; i--) {
                int c = random.nextInt(Character.MAX_CODE_POINT + 1);
                if (c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE) {
                    text.appendCodePoint(c);
                }
            }
            assertEquals(text.toString(), LossyUtf8.decode(text.toString().getBytes(StandardCharsets.UTF_8)));
        }
    }
}

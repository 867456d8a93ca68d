package phiscope.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import phiscope.engine.tokenizer.TokenizerFixtures.ReferenceCase;

/** Every reference case, with the tokenizer file in both merge formats. */
class TokenizerReferenceTest {

    static Stream<Arguments> referenceCases() {
        List<ReferenceCase> cases = TokenizerFixtures.referenceCases();
        return TokenizerFixtures.PHI2_FILES.stream().flatMap(file -> IntStream.range(0, cases.size())
                .mapToObj(i -> Arguments.of(
                        file,
                        file + " case " + i + " (" + cases.get(i).kind() + ") " + preview(cases.get(i).text()),
                        cases.get(i))));
    }

    // The label is repeated in the assertion message: Surefire's reports show only the invocation number.
    @ParameterizedTest(name = "{1}")
    @MethodSource("referenceCases")
    void encodesToTheReferenceIds(String file, String label, ReferenceCase reference) {
        assertArrayEquals(reference.ids(), TokenizerFixtures.phi2(file).encode(reference.text()), label);
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("referenceCases")
    void decodesTheReferenceIdsToTheReferenceText(String file, String label, ReferenceCase reference) {
        assertEquals(reference.decoded(), TokenizerFixtures.phi2(file).decode(reference.ids()), label);
    }

    /** The start of a text with invisible characters escaped, to tell cases apart in reports. */
    private static String preview(String text) {
        StringBuilder shown = new StringBuilder("\"");
        text.codePoints().limit(24).forEach(c -> {
            if (c >= ' ' && c < 0x7F) {
                shown.appendCodePoint(c);
            } else {
                shown.append(c > 0xFFFF ? "\\U%06X".formatted(c) : "\\u%04X".formatted(c));
            }
        });
        return shown.append(text.codePointCount(0, text.length()) > 24 ? "...\"" : "\"").toString();
    }
}

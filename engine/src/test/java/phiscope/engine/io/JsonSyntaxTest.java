package phiscope.engine.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;

class JsonSyntaxTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static String describe(String text) {
        String description = JsonSyntax.describe(assertThrows(JacksonException.class, () -> MAPPER.readTree(text)));
        for (String parserWord : new String[] {"`", "Feature", "ALLOW_", "VALUE_", "Source", "StreamRead", "REDACTED"}) {
            assertFalse(description.contains(parserWord), () -> "'" + description + "' shows the parser's '" + parserWord + "'");
        }
        return description;
    }

    @Test
    void textThatEndsEarlySaysWhereItWasCutOff() {
        assertEquals("it ends inside a string", describe("{\"prompt\": \"abc"));
        assertEquals("it ends inside a field name", describe("{\"prom"));
        assertEquals("it ends before an object is closed with }", describe("{\"prompt\": \"abc\""));
        assertEquals("it ends before an array is closed with ]", describe("[{\"a\": 1},\n"));
    }

    @Test
    void parserLimitsAreSaidAsSizes() {
        assertEquals("a number is 1201 characters long; at most 1000 are allowed", describe("[1" + "0".repeat(1200) + "]"));
        assertEquals("objects and arrays are nested 1001 deep; at most 1000 levels are allowed", describe("[".repeat(1001)));
    }

    @Test
    void switchesThatWouldAllowNonStandardJsonAreNotNamed() {
        String plus = describe("{\"a\": +1}");
        assertTrue(plus.contains("JSON spec does not allow numbers to have plus signs"), plus);
        String comment = describe("{\"a\": 1, // note\n}");
        assertTrue(comment.endsWith("maybe a (non-standard) comment?"), comment);
        String nan = describe("{\"a\": NaN}");
        assertTrue(nan.startsWith("Non-standard token 'NaN'"), nan);
        ObjectMapper readsNaN = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
        String token = JsonSyntax.describe(assertThrows(JacksonException.class, () -> readsNaN.readTree("{\"a\": tru}")));
        assertEquals("Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
                token);
    }
}

package phiscope.toxicity.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StandardNormalTest {

    /** Reference values from Python's math.erfc, on both sides of the series/fraction switch at 1.5. */
    @ParameterizedTest
    @CsvSource({
        "0.0, 1.0",
        "0.3, 0.6713732405408726",
        "-0.7, 1.6778011938374184",
        "1.2, 0.08968602177036465",
        "1.4999999, 0.03389486541771999",
        "1.5, 0.033894853524689274",
        "2.5, 0.0004069520174449589",
        "6.0, 2.1519736712498916e-17",
        "15.0, 7.212994172451206e-100",
    })
    void erfcMatchesReferenceToAFewUlps(double x, double expected) {
        assertEquals(expected, StandardNormal.erfc(x), Math.abs(expected) * 1e-14);
    }

}

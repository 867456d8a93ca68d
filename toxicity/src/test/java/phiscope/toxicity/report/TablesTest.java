package phiscope.toxicity.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;

class TablesTest {

    @Test
    void numbersPrintEveryDigitWithoutNeedlessExponents() {
        DoubleColumn column = Tables.numbers("x");
        column.append(0.44654284773296776).append(22507054.5).append(2.6590378444281417E-28).append(1.0).append(Double.NaN);
        assertEquals("0.44654284773296776", column.getString(0));
        assertEquals("22507054.5", column.getString(1));
        assertEquals("2.6590378444281417E-28", column.getString(2));
        assertEquals("1", column.getString(3));
        assertEquals("", column.getString(4));
    }
}

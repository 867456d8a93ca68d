package phiscope.toxicity.report;

import java.math.BigDecimal;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

/** Table columns as the reports want them. */
public final class Tables {

    private Tables() {
    }

    /**
     * A number column printed with every digit (the shortest text that reads back as the same
     * double), so the terminal shows exactly what summary.json holds; NaN prints empty. Values of
     * ordinary size print without an exponent (a U of 22507054.5, not 2.25070545E7).
     */
    public static DoubleColumn numbers(String name) {
        DoubleColumn column = DoubleColumn.create(name);
        column.setPrintFormatter(new NumberColumnFormatter() {
            @Override
            public String format(double value) {
                if (Double.isNaN(value)) return "";
                double magnitude = Math.abs(value);
                if (value == 0 || (magnitude >= 1e-3 && magnitude < 1e15)) {
                    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
                }
                return Double.toString(value);
            }
        });
        return column;
    }
}

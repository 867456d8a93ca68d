package phiscope.toxicity.report;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

/** Table columns as the reports want them. */
public final class Tables {

    private Tables() {
    }

    /**
     * A number column printed with every digit (the shortest text that reads back as the same
     * double), so the terminal shows exactly what summary.json holds; NaN prints empty.
     */
    public static DoubleColumn numbers(String name) {
        DoubleColumn column = DoubleColumn.create(name);
        column.setPrintFormatter(new NumberColumnFormatter() {
            @Override
            public String format(double value) {
                return Double.isNaN(value) ? "" : Double.toString(value);
            }
        });
        return column;
    }
}

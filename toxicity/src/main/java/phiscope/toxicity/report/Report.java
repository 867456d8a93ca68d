package phiscope.toxicity.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import tech.tablesaw.api.Table;

/**
 * What an audit concludes: summary.json for scripts, a table for the terminal and summary.csv,
 * and charts for a reader.
 */
public record Report(ObjectNode summary, Table table, List<BarChart> charts) {

    public Report {
        charts = List.copyOf(charts);
    }
}

package phiscope.toxicity.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import phiscope.toxicity.ReproducibleJson;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class ReportWriterTest {

    @Test
    void undefinedNumbersAreNullAndEveryColumnKeepsItsType() {
        Table table = Table.create("t", StringColumn.create("name", "a", "b"), Tables.numbers("x").append(0.25).append(Double.NaN),
                IntColumn.create("n", 3, 4), BooleanColumn.create("ok", new boolean[] {true, false}));
        BarChart chart = new BarChart("c.png", "title", "axis", List.of(new Bar("a", "x", 25, false), new Bar("b", "x", Double.NaN, true)),
                Optional.empty(), OptionalDouble.empty(), "", "grey");
        JsonNode json = ReportWriter.viewerJson(new Report(ReproducibleJson.object(), table, List.of(chart)));
        JsonNode rows = json.get("table").get("rows");
        assertEquals("a", rows.get(0).get(0).asText());
        assertEquals(0.25, rows.get(0).get(1).doubleValue());
        assertTrue(rows.get(1).get(1).isNull(), "NaN is null");
        assertTrue(rows.get(1).get(2).isIntegralNumber());
        assertEquals(4, rows.get(1).get(2).intValue());
        assertTrue(rows.get(0).get(3).booleanValue());
        JsonNode c = json.get("charts").get(0);
        assertTrue(c.get("scale").isNull());
        assertTrue(c.get("reference").isNull());
        assertEquals(25, c.get("bars").get(0).get("value").doubleValue());
        assertTrue(c.get("bars").get(1).get("value").isNull());
        assertTrue(c.get("bars").get(1).get("muted").booleanValue());
    }
}

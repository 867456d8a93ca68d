package phiscope.toxicity;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The toxicity module's one JSON mapper, for run folders and datasets: equal content gives equal
 * bytes (so a resumed or distributed run can be compared byte for byte with an uninterrupted one),
 * and Python's NaN reads (SafeNLP's files have it). The web server's strict request parser is the
 * other kind of JSON reader, {@code StrictJson}.
 */
public final class ReproducibleJson {

    /**
     * Reads the NaN that Python's json module writes (SafeNLP's perplexity files have one), and
     * writes maps with sorted keys so that equal content gives equal bytes.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private ReproducibleJson() {
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** A number field that is null when the value is not finite (JSON has no NaN). */
    public static ObjectNode putNumber(ObjectNode node, String field, double value) {
        if (Double.isFinite(value)) node.put(field, value);
        else node.putNull(field);
        return node;
    }

    /** The inverse of {@link #putNumber}: null or missing reads as NaN. */
    public static double number(com.fasterxml.jackson.databind.JsonNode node, String field) {
        var value = node.get(field);
        return value == null || value.isNull() ? Double.NaN : value.doubleValue();
    }
}

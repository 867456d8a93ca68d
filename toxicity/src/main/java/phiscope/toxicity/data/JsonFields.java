package phiscope.toxicity.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Typed access to the fields of one JSON row, failing with a message that names the field. */
final class JsonFields {

    private final JsonNode row;

    JsonFields(JsonNode row) throws BadRowException {
        if (row == null || !row.isObject()) throw new BadRowException("expected a JSON object, found " + describe(row));
        this.row = row;
    }

    JsonNode required(String field) throws BadRowException {
        JsonNode value = row.get(field);
        if (value == null) throw new BadRowException("missing field \"" + field + "\"");
        if (value.isNull()) throw new BadRowException("field \"" + field + "\" is null");
        return value;
    }

    boolean has(String field) {
        JsonNode value = row.get(field);
        return value != null && !value.isNull();
    }

    String text(String field) throws BadRowException {
        JsonNode value = required(field);
        if (!value.isTextual()) throw wrongType(field, "a string", value);
        return value.asText();
    }

    double number(String field) throws BadRowException {
        JsonNode value = required(field);
        if (!value.isNumber()) throw wrongType(field, "a number", value);
        return value.doubleValue();
    }

    long integer(String field) throws BadRowException {
        JsonNode value = required(field);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) throw wrongType(field, "an integer", value);
        return value.longValue();
    }

    List<String> texts(String field) throws BadRowException {
        JsonNode value = required(field);
        if (!value.isArray()) throw wrongType(field, "an array of strings", value);
        List<String> texts = new ArrayList<>();
        for (JsonNode element : value) {
            if (!element.isTextual()) throw wrongType(field, "an array of strings", value);
            texts.add(element.asText());
        }
        return texts;
    }

    boolean bool(String field) throws BadRowException {
        JsonNode value = required(field);
        if (!value.isBoolean()) throw wrongType(field, "true or false", value);
        return value.booleanValue();
    }

    List<JsonFields> objects(String field) throws BadRowException {
        JsonNode value = required(field);
        if (!value.isArray()) throw wrongType(field, "an array of objects", value);
        List<JsonFields> objects = new ArrayList<>();
        for (JsonNode element : value) {
            if (!element.isObject()) throw wrongType(field, "an array of objects", value);
            objects.add(new JsonFields(element));
        }
        return objects;
    }

    JsonFields object(String field) throws BadRowException {
        JsonNode value = required(field);
        if (!value.isObject()) throw wrongType(field, "an object", value);
        return new JsonFields(value);
    }

    private static BadRowException wrongType(String field, String expected, JsonNode found) {
        return new BadRowException("field \"" + field + "\" should be " + expected + ", found " + describe(found));
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isNull()) return "null";
        String text = node.toString();
        String kind = node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        return kind + " " + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
    }
}

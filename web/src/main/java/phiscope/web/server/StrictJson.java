package phiscope.web.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.javalin.http.Context;
import java.math.BigInteger;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import phiscope.engine.io.JsonSyntax;

/**
 * The API's JSON: one mapper, strict on input, and request bodies read into records with 400s
 * that say what is wrong in the client's terms (its field names and values, never the parser's).
 * Integer fields of request records are {@link BigInteger}, so that a value too large for an
 * {@code int} reaches {@link Check} and is refused with its field's range like any other.
 */
public final class StrictJson {

    /** Strict on input: a misspelt field is an error, not a silently applied default. */
    public static final ObjectMapper MAPPER = strict(new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS));

    /** Reads NaN and Infinity too, so that they are refused as the field they are in rather than as a syntax error. */
    private static final ObjectReader BODY = MAPPER.reader().with(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS);

    private StrictJson() {
    }

    /** No quiet conversions: {@code "layer": "2"} or {@code "prompt": 5} is a client error. */
    private static ObjectMapper strict(ObjectMapper mapper) {
        for (LogicalType type : new LogicalType[] {LogicalType.Textual, LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            for (CoercionInputShape shape : CoercionInputShape.values()) {
                mapper.coercionConfigFor(type).setCoercion(shape, CoercionAction.Fail);
            }
        }
        // Integers are numbers too: 1 where 1.0 is expected is fine.
        mapper.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.Integer, CoercionAction.TryConvert);
        return mapper;
    }

    /** The request body as a {@code type}; an empty body reads as {@code {}}. */
    public static <T> T body(Context ctx, Class<T> type) {
        byte[] body = ctx.bodyAsBytes();
        JsonNode tree;
        try {
            tree = body.length == 0 ? MAPPER.createObjectNode() : BODY.readTree(body);
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            throw ApiException.badRequest("the body is not valid JSON" + where + ": " + JsonSyntax.describe(e));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (!tree.isObject()) {
            throw ApiException.badRequest("the body must be a JSON object, not " + found(tree));
        }
        refuseNonFinite(tree, "");
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw ApiException.badRequest("unknown field '" + e.getPropertyName() + "'; known fields: " + known,
                    Map.of("field", e.getPropertyName()));
        } catch (MismatchedInputException e) {
            String field = fieldPath(e);
            throw ApiException.badRequest("field '" + field + "' is " + found(tree.at(pointer(e))) + "; it must be " + expected(e),
                    Map.of("field", field));
        } catch (JacksonException e) {
            // Not the client's doing: the body was valid JSON, and the wrong kinds of value are caught above.
            throw new IllegalStateException("cannot read a " + type.getSimpleName() + " from a request body", e);
        }
    }

    /** {@code text} as a JSON string literal, quotes and escapes included. */
    public static String quote(String text) {
        try {
            return MAPPER.writeValueAsString(text);
        } catch (JacksonException e) {
            throw new IllegalStateException(e);
        }
    }

    /** JSON has no NaN or Infinity; a client that sends them (or a number beyond a double's range) is told which field. */
    private static void refuseNonFinite(JsonNode node, String path) {
        if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            throw ApiException.badRequest("field '" + path + "' is " + node.doubleValue() + "; it must be a finite number",
                    Map.of("field", path));
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                refuseNonFinite(node.get(i), path + "[" + i + "]");
            }
        } else if (node.isObject()) {
            node.properties().forEach(field -> refuseNonFinite(field.getValue(),
                    path.isEmpty() ? field.getKey() : path + "." + field.getKey()));
        }
    }

    private static String fieldPath(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String pointer(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> "/" + (ref.getFieldName() != null ? ref.getFieldName().replace("~", "~0").replace("/", "~1") : ref.getIndex()))
                .collect(Collectors.joining());
    }

    /** The value a client sent, as the error names it: numbers and booleans as written, the rest by kind. */
    private static String found(JsonNode node) {
        if (node.isNull()) {
            return "null";
        }
        if (node.isNumber() || node.isBoolean()) {
            return node.toString();
        }
        if (node.isTextual()) {
            return "a string";
        }
        return node.isArray() ? "an array" : node.isObject() ? "an object" : "missing";
    }

    private static String expected(MismatchedInputException e) {
        Class<?> type = e.getTargetType();
        List<JsonMappingException.Reference> path = e.getPath();
        // An element of an array field: Jackson names the array type.
        if (type != null && type.isArray() && !path.isEmpty() && path.getLast().getFieldName() == null) {
            type = type.getComponentType();
        }
        if (type == null) {
            return "of another kind";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == BigInteger.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "an object";
    }
}

package dev.portafilter.pgvector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.metadata.BooleanValue;
import dev.portafilter.core.metadata.DoubleValue;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.metadata.MetadataValue;
import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.ScalarValue;
import dev.portafilter.core.metadata.StringListValue;
import dev.portafilter.core.metadata.StringValue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The {@code jsonb} document that holds a record's undeclared fields, and the JSON values filters compare it with.
 *
 * <p>PostgreSQL keeps a JSON number as an exact {@code numeric}, so how a double is written decides how it compares.
 * A double is written as {@link Double#toString}'s digits, which lie within its rounding interval, so no integer and
 * no other double falls between the two and every comparison comes out as on the exact value; an integral double
 * beyond 2^53 is written exactly, since an integer could fall within its interval. Filters write their numbers the
 * same way.
 */
final class DocumentJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final double EXACT_BEYOND = 0x1p53;

    private DocumentJson() {
    }

    /** The fields of a record's metadata that have no column, as one JSON object ({@code {}} when there are none). */
    static String write(Map<String, MetadataValue> fields, PgvectorTableLayout layout) {
        ObjectNode doc = NODES.objectNode();
        fields.forEach((field, value) -> doc.set(field, layout.numbersAsText() && value instanceof NumberValue n
                ? NODES.textNode(n instanceof LongValue l ? Long.toString(l.value()) : Double.toString(n.asDouble()))
                : node(value)));
        return text(doc);
    }

    /**
     * The SQL/JSON path that finds a document whose field equals one of the values, as a scalar or (lax mode
     * unwraps arrays) as an element of a list: {@code $."field" ? (@ == "a" || @ == 2)}. The key and every value
     * are JSON literals written by Jackson, which path syntax reads as written, so nothing in them can change the
     * path; the whole path is bound as one parameter. Comparisons are kind-exact ({@code "2"} is not {@code 2}) and
     * numeric by value ({@code 2 == 2.0}), as docs/semantics.md says.
     */
    static String anyOfPath(String field, List<ScalarValue> values) {
        StringBuilder path = new StringBuilder("$.").append(text(NODES.textNode(field))).append(" ? (");
        for (int i = 0; i < values.size(); i++) {
            path.append(i == 0 ? "@ == " : " || @ == ").append(text(node(values.get(i))));
        }
        return path.append(')').toString();
    }

    /** A number as PostgreSQL should compare it with the numbers in documents. */
    static BigDecimal decimal(NumberValue n) {
        if (n instanceof LongValue l) {
            return BigDecimal.valueOf(l.value());
        }
        double d = ((DoubleValue) n).value();
        return Math.abs(d) >= EXACT_BEYOND ? new BigDecimal(d) : new BigDecimal(Double.toString(d));
    }

    /**
     * The fields of a stored document that have no column of their own: a declared one as its type (an integral
     * number in a DOUBLE field reads as a double), an undeclared one, where the schema allows them, by its own kind; a
     * key the schema neither declares nor allows is another tool's, and left out. A JSON {@code null} or {@code []} is
     * no field. Any other value that is no metadata value (an object, a list of numbers) is a {@link StoreException}
     * naming the record and key.
     */
    static void read(String id, String json, PgvectorTableLayout layout, Map<String, MetadataValue> into) {
        if (json == null) {
            return;
        }
        JsonNode doc;
        try {
            doc = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new StoreException("record '" + id + "' holds a metadata document that is not JSON", e);
        }
        MetadataSchema schema = layout.metadataSchema();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode node = e.getValue();
            FieldSpec spec = schema.field(key).orElse(null);
            if (layout.hasColumn(key) || (spec == null && !schema.allowsUndeclared()) || node.isNull()
                    || (node.isArray() && node.isEmpty())) {
                continue;
            }
            MetadataValue v = spec != null && spec.type().isNumeric() && layout.numbersAsText() && node.isTextual()
                    ? number(node.textValue()) : value(node);
            if (v != null && spec != null) {
                v = fit(spec.type(), v);
            }
            if (v == null) {
                throw new StoreException("record '" + id + "' holds " + node + " in its metadata document under '"
                        + key + "', which is no " + (spec == null ? "metadata value" : spec.type() + " value"), null);
            }
            into.put(key, v);
        }
    }

    /** A number written as text ({@code "2023"}, {@code "0.5"}), or null when the text is no number. */
    private static MetadataValue number(String text) {
        try {
            JsonNode n = JSON.readTree(text);
            return n.isNumber() ? value(n) : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** A value read from a document as a declared field's type, or null when it is not of that type. */
    private static MetadataValue fit(FieldType type, MetadataValue v) {
        return switch (type) {
            case STRING -> v instanceof StringValue ? v : null;
            case LONG -> v instanceof LongValue ? v : null;
            case DOUBLE -> v instanceof DoubleValue ? v : v instanceof LongValue l ? new DoubleValue(l.value()) : null;
            case BOOLEAN -> v instanceof BooleanValue ? v : null;
            case STRING_LIST -> v instanceof StringListValue ? v : null;
        };
    }

    private static MetadataValue value(JsonNode node) {
        if (node.isTextual()) {
            return new StringValue(node.textValue());
        }
        if (node.isBoolean()) {
            return BooleanValue.of(node.booleanValue());
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return new LongValue(node.longValue());
        }
        if (node.isNumber() && Double.isFinite(node.doubleValue())) {
            return new DoubleValue(node.doubleValue());
        }
        if (node.isArray() && !node.isEmpty()) {
            List<String> strings = new ArrayList<>(node.size());
            for (JsonNode element : node) {
                if (!element.isTextual()) {
                    return null;
                }
                strings.add(element.textValue());
            }
            return new StringListValue(strings);
        }
        return null;
    }

    private static JsonNode node(MetadataValue value) {
        if (value instanceof StringValue s) {
            return NODES.textNode(s.value());
        }
        if (value instanceof BooleanValue b) {
            return NODES.booleanNode(b.value());
        }
        if (value instanceof LongValue l) {
            return NODES.numberNode(l.value());
        }
        if (value instanceof DoubleValue d) {
            return NODES.numberNode(decimal(d));
        }
        ArrayNode list = NODES.arrayNode();
        ((StringListValue) value).values().forEach(list::add);
        return list;
    }

    private static String text(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always writes", e);
        }
    }
}

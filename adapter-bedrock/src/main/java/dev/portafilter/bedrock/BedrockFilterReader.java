package dev.portafilter.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portafilter.core.internal.FilterJsonCodec;
import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.internal.JsonPath;
import dev.portafilter.core.filter.ParseLimits;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.ScalarValue;
import dev.portafilter.core.metadata.StringValue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Reads Bedrock's RetrievalFilter JSON into a Portafilter filter, checking every key and value against the schema.
 * A key the schema does not declare, where it allows undeclared fields, is compared with the value as written: a
 * number or a boolean, never a string (Bedrock documents no meaning for a key that may hold a string or a list).
 * Errors name paths in the RetrievalFilter JSON, e.g. {@code $.andAll[1].equals.value}.
 */
final class BedrockFilterReader {
    private final MetadataSchema schema;
    private final ParseLimits limits;
    private int nodes;

    BedrockFilterReader(MetadataSchema schema, ParseLimits limits) {
        this.schema = schema;
        this.limits = limits;
    }

    Filter read(JsonNode node) {
        return filter(node, JsonPath.ROOT, 1);
    }

    private Filter filter(JsonNode node, String path, int depth) {
        if (node == null || !node.isObject()) {
            throw new InvalidFilterException(path, "expected a RetrievalFilter object, found " + FilterJsonCodec.kind(node));
        }
        if (node.size() != 1) {
            throw new InvalidFilterException(path, node.isEmpty() ? "an empty object is not a filter"
                    : "a RetrievalFilter holds exactly one operator, found " + names(node));
        }
        String op = node.fieldNames().next();
        String opPath = JsonPath.key(path, op);
        FilterJsonCodec.checkNodes(limits, opPath, ++nodes);
        JsonNode body = node.get(op);
        return switch (op) {
            case "andAll", "orAll" -> group(op, body, opPath, depth);
            case "equals" -> {
                Key key = key(body, opPath);
                if (key.isList()) {
                    throw new UnsupportedFilterException(RetrievalFilterCodec.BACKEND, opPath, "equals on the list-valued "
                            + "field '" + key.name() + "' has no documented meaning; use listContains");
                }
                yield new Filter.Eq(key.name(), refuseUndeclaredString(key, scalar(body, opPath, key), opPath, op));
            }
            case "notEquals" -> {
                Key key = scalarKey(body, opPath, op);
                yield new Filter.Ne(key.name(), refuseUndeclaredString(key, scalar(body, opPath, key), opPath, op));
            }
            case "greaterThan" -> range(body, opPath, op, Filter.RangeOp.GT);
            case "greaterThanOrEquals" -> range(body, opPath, op, Filter.RangeOp.GTE);
            case "lessThan" -> range(body, opPath, op, Filter.RangeOp.LT);
            case "lessThanOrEquals" -> range(body, opPath, op, Filter.RangeOp.LTE);
            case "in" -> {
                Key key = scalarKey(body, opPath, op);
                yield new Filter.In(key.name(), values(body, opPath, op, key));
            }
            case "notIn" -> {
                Key key = scalarKey(body, opPath, op);
                yield new Filter.Nin(key.name(), values(body, opPath, op, key));
            }
            case "listContains" -> {
                Key key = key(body, opPath);
                if (key.spec() == null) {
                    throw new UnsupportedFilterException(RetrievalFilterCodec.BACKEND, opPath, "listContains matches "
                            + "only documents whose '" + key.name() + "' is a list, but the key is undeclared, and "
                            + "Portafilter's equality on an undeclared key also matches a single string; declare '"
                            + key.name() + "' as STRING_LIST");
                }
                if (!key.isList()) {
                    throw new InvalidFilterException(JsonPath.key(opPath, "key"), "listContains needs a STRING_LIST "
                            + "field, but '" + key.name() + "' is " + key.spec().type());
                }
                yield new Filter.Eq(key.name(), scalar(body, opPath, key));
            }
            case "startsWith", "stringContains" -> throw new UnsupportedFilterException(RetrievalFilterCodec.BACKEND,
                    opPath, op + " matches substrings, which no other backend can express with the same meaning");
            default -> throw new InvalidFilterException(opPath, "unknown RetrievalFilter operator '" + op + "'");
        };
    }

    private Filter group(String op, JsonNode body, String path, int depth) {
        FilterJsonCodec.checkDepth(limits, path, depth);
        if (!body.isArray()) {
            throw new InvalidFilterException(path, op + " expects an array of filters, found " + FilterJsonCodec.kind(body));
        }
        if (body.size() < 2) {
            throw new InvalidFilterException(path, op + " needs at least 2 filters in Bedrock, found " + body.size());
        }
        List<Filter> children = new ArrayList<>(body.size());
        for (int i = 0; i < body.size(); i++) {
            children.add(filter(body.get(i), JsonPath.index(path, i), depth + 1));
        }
        return op.equals("andAll") ? new Filter.And(children) : new Filter.Or(children);
    }

    private Filter range(JsonNode body, String path, String op, Filter.RangeOp range) {
        Key key = key(body, path);
        if (key.spec() != null && !key.spec().type().isNumeric()) {
            throw new InvalidFilterException(JsonPath.key(path, "key"), "a comparison needs a numeric field, but '"
                    + key.name() + "' is " + key.spec().type());
        }
        // a declared numeric field has refused anything else already
        if (!(scalar(body, path, key) instanceof NumberValue bound)) {
            throw new InvalidFilterException(JsonPath.key(path, "value"), op + " compares numbers only, found "
                    + FilterJsonCodec.kind(body.get("value")));
        }
        return new Filter.Range(key.name(), range, bound);
    }

    /** A key as read: its name, and its declaration, or null for a key the schema allows undeclared. */
    private record Key(String name, FieldSpec spec) {
        boolean isList() {
            return spec != null && spec.type() == FieldType.STRING_LIST;
        }
    }

    /** The field named by {@code body.key}, after checking that the body is exactly {key, value}. */
    private Key key(JsonNode body, String path) {
        if (body == null || !body.isObject()) {
            throw new InvalidFilterException(path, "expected {\"key\": ..., \"value\": ...}, found " + FilterJsonCodec.kind(body));
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!name.equals("key") && !name.equals("value")) {
                throw new InvalidFilterException(JsonPath.key(path, name), "unexpected member; a filter attribute has "
                        + "only key and value");
            }
        }
        JsonNode key = body.get("key");
        String keyPath = JsonPath.key(path, "key");
        if (key == null || !key.isTextual() || key.textValue().isEmpty()) {
            throw new InvalidFilterException(keyPath, "key must be a non-empty string, found " + FilterJsonCodec.kind(key));
        }
        if (!body.has("value")) {
            throw new InvalidFilterException(JsonPath.key(path, "value"), "value is missing");
        }
        FieldSpec spec = schema.field(key.textValue()).orElse(null);
        if (spec == null && !schema.allowsUndeclared()) {
            throw new InvalidFilterException(keyPath, "unknown field '" + key.textValue() + "': not declared in the schema");
        }
        return new Key(key.textValue(), spec);
    }

    /** A key for an operator whose meaning on Bedrock list attributes is not documented. */
    private Key scalarKey(JsonNode body, String path, String op) {
        Key key = key(body, path);
        if (key.isList()) {
            throw new UnsupportedFilterException(RetrievalFilterCodec.BACKEND, path, op + " on the list-valued field '"
                    + key.name() + "' has no documented meaning in Bedrock");
        }
        return key;
    }

    /**
     * The value, unless it is a string compared with an undeclared key. Such a key may hold a single string in one
     * document and a list in another; Bedrock documents {@code equals}, {@code notEquals}, {@code in} and
     * {@code notIn} for single values only, so on a list their meaning is unknown, and Portafilter's equality there
     * (any element) would be a guess. Numbers and booleans are exact: no list holds them.
     */
    private static ScalarValue refuseUndeclaredString(Key key, ScalarValue value, String path, String op) {
        if (key.spec() == null && value instanceof StringValue) {
            throw new UnsupportedFilterException(RetrievalFilterCodec.BACKEND, path, op + " with a string on the "
                    + "undeclared key '" + key.name() + "', which may hold a list in some documents, where Bedrock "
                    + "documents no meaning for " + op + "; declare '" + key.name() + "' as STRING or STRING_LIST");
        }
        return value;
    }

    private List<ScalarValue> values(JsonNode body, String path, String op, Key key) {
        JsonNode array = body.get("value");
        String valuePath = JsonPath.key(path, "value");
        if (!array.isArray()) {
            throw new InvalidFilterException(valuePath, "expects an array of values, found " + FilterJsonCodec.kind(array));
        }
        if (array.isEmpty()) {
            throw new InvalidFilterException(valuePath, "needs at least one value");
        }
        FilterJsonCodec.checkInValues(limits, valuePath, "value", array.size());
        List<ScalarValue> values = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            String elementPath = JsonPath.index(valuePath, i);
            ScalarValue v = value(array.get(i), elementPath, key);
            if (i > 0) {
                FilterJsonCodec.checkOneKind(values.get(0), v, elementPath, op);
            }
            values.add(v);
        }
        refuseUndeclaredString(key, values.get(0), path, op);
        return values;
    }

    private static ScalarValue scalar(JsonNode body, String path, Key key) {
        return value(body.get("value"), JsonPath.key(path, "value"), key);
    }

    /**
     * One value, read as every filter syntax reads it, then checked against Bedrock's exact range and the field's
     * kind (an undeclared key takes the value's own).
     */
    private static ScalarValue value(JsonNode node, String path, Key key) {
        ScalarValue v = FilterJsonCodec.scalar(node, path, "value");
        if (v instanceof LongValue l) {
            String problem = BedrockFilterWriter.PROFILE.integerProblem(l.value());
            if (problem != null) {
                throw new UnsupportedFilterException(RetrievalFilterCodec.BACKEND, path, problem);
            }
        }
        String problem = key.spec() == null ? null : key.spec().kindProblem(v);
        if (problem != null) {
            throw new InvalidFilterException(path, problem);
        }
        return v;
    }

    private static String names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return String.join(", ", names);
    }
}

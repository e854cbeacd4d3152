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

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Reads Bedrock's RetrievalFilter JSON into a Portafilter filter, checking every key and value against the schema.
 * Errors name paths in the RetrievalFilter JSON, e.g. {@code $.andAll[1].equals.value}.
 */
final class BedrockFilterReader {
    private final MetadataSchema schema;
    private final ParseLimits limits;
    private int nodes;

    BedrockFilterReader(MetadataSchema schema, ParseLimits limits) {
        RetrievalFilterCodec.requireDeclared(schema);
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
                FieldSpec spec = key(body, opPath);
                if (spec.type() == FieldType.STRING_LIST) {
                    throw new UnsupportedFilterException(RetrievalFilterCodec.BACKEND, opPath, "equals on the list-valued "
                            + "field '" + spec.name() + "' has no documented meaning; use listContains");
                }
                yield new Filter.Eq(spec.name(), scalar(body, opPath, spec));
            }
            case "notEquals" -> {
                FieldSpec spec = scalarField(body, opPath, op);
                yield new Filter.Ne(spec.name(), scalar(body, opPath, spec));
            }
            case "greaterThan" -> range(body, opPath, Filter.RangeOp.GT);
            case "greaterThanOrEquals" -> range(body, opPath, Filter.RangeOp.GTE);
            case "lessThan" -> range(body, opPath, Filter.RangeOp.LT);
            case "lessThanOrEquals" -> range(body, opPath, Filter.RangeOp.LTE);
            case "in" -> {
                FieldSpec spec = scalarField(body, opPath, op);
                yield new Filter.In(spec.name(), values(body, opPath, spec));
            }
            case "notIn" -> {
                FieldSpec spec = scalarField(body, opPath, op);
                yield new Filter.Nin(spec.name(), values(body, opPath, spec));
            }
            case "listContains" -> {
                FieldSpec spec = key(body, opPath);
                if (spec.type() != FieldType.STRING_LIST) {
                    throw new InvalidFilterException(JsonPath.key(opPath, "key"), "listContains needs a STRING_LIST "
                            + "field, but '" + spec.name() + "' is " + spec.type());
                }
                yield new Filter.Eq(spec.name(), scalar(body, opPath, spec));
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

    private Filter range(JsonNode body, String path, Filter.RangeOp op) {
        FieldSpec spec = key(body, path);
        if (!spec.type().isNumeric()) {
            throw new InvalidFilterException(JsonPath.key(path, "key"), "a comparison needs a numeric field, but '"
                    + spec.name() + "' is " + spec.type());
        }
        return new Filter.Range(spec.name(), op, (NumberValue) scalar(body, path, spec));
    }

    /** The declared field named by {@code body.key}, after checking that the body is exactly {key, value}. */
    private FieldSpec key(JsonNode body, String path) {
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
        return schema.field(key.textValue()).orElseThrow(() -> new InvalidFilterException(keyPath,
                "unknown field '" + key.textValue() + "': not declared in the schema"));
    }

    /** A field for an operator whose meaning on Bedrock list attributes is not documented. */
    private FieldSpec scalarField(JsonNode body, String path, String op) {
        FieldSpec spec = key(body, path);
        if (spec.type() == FieldType.STRING_LIST) {
            throw new UnsupportedFilterException(RetrievalFilterCodec.BACKEND, path, op + " on the list-valued field '"
                    + spec.name() + "' has no documented meaning in Bedrock");
        }
        return spec;
    }

    private List<ScalarValue> values(JsonNode body, String path, FieldSpec spec) {
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
            values.add(value(array.get(i), JsonPath.index(valuePath, i), spec));
        }
        return values;
    }

    private ScalarValue scalar(JsonNode body, String path, FieldSpec spec) {
        return value(body.get("value"), JsonPath.key(path, "value"), spec);
    }

    /** One value, read as every filter syntax reads it, then checked against the field and Bedrock's exact range. */
    private static ScalarValue value(JsonNode node, String path, FieldSpec spec) {
        ScalarValue v = FilterJsonCodec.scalar(node, path, "value");
        if (v instanceof LongValue l) {
            String problem = BedrockFilterWriter.PROFILE.integerProblem(l.value());
            if (problem != null) {
                throw new UnsupportedFilterException(RetrievalFilterCodec.BACKEND, path, problem);
            }
        }
        String problem = spec.kindProblem(v);
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

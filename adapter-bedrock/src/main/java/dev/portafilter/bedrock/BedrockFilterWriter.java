package dev.portafilter.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.filter.FilterVisitor;
import dev.portafilter.core.filter.FilterPath;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.metadata.ScalarValue;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes a schema-valid Portafilter filter as Bedrock RetrievalFilter JSON. {@code $not} has no Bedrock form, so it
 * is pushed down to the leaves (De Morgan, {@code $eq}/{@code $ne}, {@code $in}/{@code $nin}, {@code $exists}),
 * and a leaf whose negation Bedrock cannot state is an {@link UnsupportedFilterException} naming the filter's
 * canonical JSON path. {@code docs/bedrock.md} lists every rule.
 */
final class BedrockFilterWriter implements FilterVisitor<ObjectNode> {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final MetadataSchema schema;
    private final FilterPath path;
    /** Whether an odd number of {@code $not}s encloses this node. */
    private final boolean negated;

    BedrockFilterWriter(MetadataSchema schema) {
        this(schema, FilterPath.ROOT, false);
    }

    private BedrockFilterWriter(MetadataSchema schema, FilterPath path, boolean negated) {
        this.schema = schema;
        this.path = path;
        this.negated = negated;
    }

    @Override
    public ObjectNode eq(Filter.Eq eq) {
        FilterPath p = path.operator(eq.field(), "$eq");
        return negated ? noneEqual(eq.field(), List.of(eq.value()), p, "notEquals")
                : anyEqual(eq.field(), List.of(eq.value()), p, "equals");
    }

    @Override
    public ObjectNode ne(Filter.Ne ne) {
        FilterPath p = path.operator(ne.field(), "$ne");
        return negated ? anyEqual(ne.field(), List.of(ne.value()), p, "equals")
                : noneEqual(ne.field(), List.of(ne.value()), p, "notEquals");
    }

    @Override
    public ObjectNode range(Filter.Range range) {
        FilterPath p = path.operator(range.field(), range.op().operator());
        if (negated) {
            throw unsupported(p, "$not around " + range.op().operator() + " also matches records without '"
                    + range.field() + "', and Bedrock cannot express a missing attribute");
        }
        String op = switch (range.op()) {
            case GT -> "greaterThan";
            case GTE -> "greaterThanOrEquals";
            case LT -> "lessThan";
            case LTE -> "lessThanOrEquals";
        };
        return leaf(op, range.field(), value(range.bound(), p));
    }

    @Override
    public ObjectNode in(Filter.In in) {
        FilterPath p = path.operator(in.field(), "$in");
        return negated ? noneEqual(in.field(), in.values(), p, "notIn") : anyEqual(in.field(), in.values(), p, "in");
    }

    @Override
    public ObjectNode nin(Filter.Nin nin) {
        FilterPath p = path.operator(nin.field(), "$nin");
        return negated ? anyEqual(nin.field(), nin.values(), p, "in") : noneEqual(nin.field(), nin.values(), p, "notIn");
    }

    @Override
    public ObjectNode exists(Filter.Exists exists) {
        FilterPath p = path.operator(exists.field(), "$exists");
        boolean present = exists.exists() != negated;
        FieldType type = type(exists.field());
        // Bedrock has no existence test, but a finite domain or a total order gives an exact one.
        if (type == FieldType.BOOLEAN) {
            return present
                    ? group("orAll", List.of(leaf("equals", exists.field(), NODES.booleanNode(true)),
                    leaf("equals", exists.field(), NODES.booleanNode(false))))
                    : group("andAll", List.of(leaf("notEquals", exists.field(), NODES.booleanNode(true)),
                    leaf("notEquals", exists.field(), NODES.booleanNode(false))));
        }
        if (type.isNumeric() && present) {
            return group("orAll", List.of(leaf("greaterThanOrEquals", exists.field(), NODES.numberNode(0)),
                    leaf("lessThan", exists.field(), NODES.numberNode(0))));
        }
        throw unsupported(p, "Bedrock cannot test whether the " + type + " field '" + exists.field() + "' is "
                + (present ? "present" : "missing"));
    }

    @Override
    public ObjectNode and(Filter.And and) {
        return group(negated ? "orAll" : "andAll", children("$and", and.filters()));
    }

    @Override
    public ObjectNode or(Filter.Or or) {
        return group(negated ? "andAll" : "orAll", children("$or", or.filters()));
    }

    @Override
    public ObjectNode not(Filter.Not not) {
        return not.filter().accept(new BedrockFilterWriter(schema, path.key("$not"), !negated));
    }

    /** The field equals one of the values: equals/in on a scalar, listContains on a list field. */
    private ObjectNode anyEqual(String field, List<ScalarValue> values, FilterPath p, String op) {
        if (type(field) == FieldType.STRING_LIST) {
            List<ObjectNode> contains = new ArrayList<>(values.size());
            for (ScalarValue v : values) {
                contains.add(leaf("listContains", field, value(v, p)));
            }
            return group("orAll", contains);
        }
        return leaf(op, field, op.equals("in") ? array(values, p) : value(values.get(0), p));
    }

    /** The field is missing or equals none of the values: notEquals/notIn, which Bedrock has only for scalars. */
    private ObjectNode noneEqual(String field, List<ScalarValue> values, FilterPath p, String op) {
        if (type(field) == FieldType.STRING_LIST) {
            throw unsupported(p, "'" + field + "' is a list, and Bedrock cannot express that no element "
                    + (values.size() == 1 ? "equals " + values.get(0) : "is one of " + values));
        }
        return leaf(op, field, op.equals("notIn") ? array(values, p) : value(values.get(0), p));
    }

    private List<ObjectNode> children(String op, List<Filter> filters) {
        FilterPath base = path.key(op);
        List<ObjectNode> out = new ArrayList<>(filters.size());
        for (int i = 0; i < filters.size(); i++) {
            out.add(filters.get(i).accept(new BedrockFilterWriter(schema, base.index(i), negated)));
        }
        return out;
    }

    /** andAll/orAll need at least two members in Bedrock, so a single member stands alone. */
    private static ObjectNode group(String op, List<ObjectNode> members) {
        if (members.size() == 1) {
            return members.get(0);
        }
        ArrayNode array = NODES.arrayNode();
        members.forEach(array::add);
        ObjectNode node = NODES.objectNode();
        node.set(op, array);
        return node;
    }

    private static ObjectNode leaf(String op, String key, JsonNode value) {
        ObjectNode attribute = NODES.objectNode();
        attribute.put("key", key);
        attribute.set("value", value);
        ObjectNode node = NODES.objectNode();
        node.set(op, attribute);
        return node;
    }

    private static ArrayNode array(List<ScalarValue> values, FilterPath p) {
        ArrayNode array = NODES.arrayNode();
        values.forEach(v -> array.add(value(v, p)));
        return array;
    }

    private static JsonNode value(ScalarValue v, FilterPath p) {
        if (v instanceof LongValue l && Math.abs(l.value()) > BedrockFilterReader.MAX_EXACT_INTEGER) {
            throw unsupported(p, "integer " + l.value() + " is beyond 2^53, where Bedrock's double comparison is "
                    + "not exact");
        }
        return FilterJson.toJson(v);
    }

    private FieldType type(String field) {
        return schema.field(field).orElseThrow(() -> new IllegalStateException("unvalidated field " + field)).type();
    }

    private static UnsupportedFilterException unsupported(FilterPath p, String reason) {
        return new UnsupportedFilterException(RetrievalFilterCodec.BACKEND, p, reason);
    }
}

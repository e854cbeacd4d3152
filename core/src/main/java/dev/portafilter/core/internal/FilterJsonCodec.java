package dev.portafilter.core.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterVisitor;
import dev.portafilter.core.filter.ParseLimits;
import dev.portafilter.core.metadata.BooleanValue;
import dev.portafilter.core.metadata.DoubleValue;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.ScalarValue;
import dev.portafilter.core.metadata.StringValue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The JSON syntax of filters over Jackson trees: {@link dev.portafilter.core.filter.FilterJson} is its public face,
 * and the other filter syntaxes (Bedrock's RetrievalFilter) and file formats (the conformance cases) read their values
 * and enforce their limits through it, so that one scalar conversion, one set of limits and one set of messages serve
 * them all.
 */
public final class FilterJsonCodec {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper WRITER = new ObjectMapper();

    private FilterJsonCodec() {
    }

    public static Filter parse(String json, ParseLimits limits) {
        if (json == null) {
            throw new InvalidFilterException(JsonPath.ROOT, "no filter given");
        }
        return parse(readTree(json, limits), JsonPath.ROOT, limits);
    }

    /** Parses a filter embedded in a larger document; errors name paths below {@code basePath}. */
    public static Filter parse(JsonNode node, String basePath, ParseLimits limits) {
        return new Parser(limits).filter(node, basePath, 1);
    }

    /** The canonical JSON text of a filter: operators spelled out, so that parsing it gives the filter back. */
    public static String write(Filter filter) {
        try {
            return WRITER.writeValueAsString(toJson(filter));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }

    /** The canonical JSON tree of a filter. */
    public static ObjectNode toJson(Filter filter) {
        return filter.accept(Writer.INSTANCE);
    }

    /** A scalar as a JSON node. */
    public static JsonNode toJson(ScalarValue value) {
        if (value instanceof StringValue s) {
            return NODES.textNode(s.value());
        }
        if (value instanceof LongValue l) {
            return NODES.numberNode(l.value());
        }
        if (value instanceof DoubleValue d) {
            return NODES.numberNode(d.value());
        }
        return NODES.booleanNode(((BooleanValue) value).value());
    }

    /**
     * A JSON scalar as a filter value: a string, a boolean, a 64-bit integer or a finite double; anything else is an
     * {@link InvalidFilterException} at {@code path} naming {@code operator}. Other filter syntaxes (Bedrock's) read
     * their values through this too.
     */
    public static ScalarValue scalar(JsonNode value, String path, String operator) {
        if (value.isTextual()) {
            return new StringValue(value.textValue());
        }
        if (value.isBoolean()) {
            return BooleanValue.of(value.booleanValue());
        }
        if (value.isIntegralNumber()) {
            if (!value.canConvertToLong()) {
                throw new InvalidFilterException(path, "integer " + value.asText() + " does not fit in 64 bits");
            }
            return new LongValue(value.longValue());
        }
        if (value.isNumber()) {
            double d = value.doubleValue();
            if (!Double.isFinite(d)) {
                throw new InvalidFilterException(path, "number " + value.asText() + " is not finite");
            }
            return new DoubleValue(d);
        }
        throw new InvalidFilterException(path, operator + " expects a string, number or boolean, found " + kind(value));
    }

    /** What a JSON node is, for errors: "an array", "a string", "null", "nothing" (absent). */
    public static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase();
        };
    }

    /** Reads JSON text strictly (no duplicate keys, no trailing content), errors naming the JSON path. */
    public static JsonNode readTree(String json, ParseLimits limits) {
        JsonMapper mapper = JsonMapper.builder(new com.fasterxml.jackson.core.JsonFactoryBuilder()
                        .streamReadConstraints(StreamReadConstraints.builder()
                                .maxNestingDepth(limits.maxDepth() * 3 + 8)
                                .build())
                        .build())
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .build();
        try {
            JsonNode node = mapper.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new InvalidFilterException(JsonPath.ROOT, "empty input: expected a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            String path = JsonPath.ROOT;
            if (e.getProcessor() instanceof JsonParser p) {
                path = pathOf(p.getParsingContext());
            }
            throw new InvalidFilterException(path, "malformed JSON: " + e.getOriginalMessage());
        }
    }

    /** Refuses nesting deeper than the limits' {@code maxDepth} at {@code path}. */
    public static void checkDepth(ParseLimits limits, String path, int depth) {
        if (depth > limits.maxDepth()) {
            throw new InvalidFilterException(path, "nesting deeper than the limit of " + limits.maxDepth());
        }
    }

    /** Refuses the {@code count}-th node of a filter when that is more than the limits' {@code maxNodes}. */
    public static void checkNodes(ParseLimits limits, String path, int count) {
        if (count > limits.maxNodes()) {
            throw new InvalidFilterException(path, "more than the limit of " + limits.maxNodes() + " filter nodes");
        }
    }

    /** Refuses an {@code operator} list of more than the limits' {@code maxInValues} values. */
    public static void checkInValues(ParseLimits limits, String path, String operator, int count) {
        if (count > limits.maxInValues()) {
            throw new InvalidFilterException(path, operator + " has " + count + " values, more than the limit of "
                    + limits.maxInValues());
        }
    }

    /** Refuses, at {@code path}, a value of an {@code operator} list whose kind differs from the list's first value. */
    public static void checkOneKind(ScalarValue first, ScalarValue value, String path, String operator) {
        if (first.kind() != value.kind()) {
            throw new InvalidFilterException(path, operator + " values must all be of one kind: "
                    + first.kind().name().toLowerCase() + " then " + value.kind().name().toLowerCase());
        }
    }

    private static String pathOf(JsonStreamContext ctx) {
        List<JsonStreamContext> chain = new ArrayList<>();
        for (JsonStreamContext c = ctx; c != null && !c.inRoot(); c = c.getParent()) {
            chain.add(0, c);
        }
        String path = JsonPath.ROOT;
        for (JsonStreamContext c : chain) {
            if (c.inArray()) {
                path = JsonPath.index(path, Math.max(0, c.getCurrentIndex()));
            } else if (c.inObject() && c.getCurrentName() != null) {
                path = JsonPath.key(path, c.getCurrentName());
            }
        }
        return path;
    }

    private static final class Parser {
        private final ParseLimits limits;
        private int nodes;

        Parser(ParseLimits limits) {
            this.limits = limits;
        }

        Filter filter(JsonNode node, String path, int depth) {
            if (!node.isObject()) {
                throw new InvalidFilterException(path, "expected a JSON object, found " + kind(node));
            }
            if (node.isEmpty()) {
                throw new InvalidFilterException(path, "an empty object is not a filter");
            }
            List<Filter> parts = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = e.getKey();
                String keyPath = JsonPath.key(path, key);
                parts.add(key.startsWith("$")
                        ? logical(key, e.getValue(), keyPath, depth)
                        : field(key, e.getValue(), keyPath, depth));
            }
            return parts.size() == 1 ? parts.get(0) : count(new Filter.And(parts), path);
        }

        private Filter logical(String op, JsonNode value, String path, int depth) {
            switch (op) {
                case "$and", "$or" -> {
                    checkDepth(path, depth);
                    if (!value.isArray()) {
                        throw new InvalidFilterException(path, op + " expects an array of filters, found " + kind(value));
                    }
                    if (value.isEmpty()) {
                        throw new InvalidFilterException(path, op + " needs at least one filter");
                    }
                    List<Filter> children = new ArrayList<>(value.size());
                    for (int i = 0; i < value.size(); i++) {
                        children.add(filter(value.get(i), JsonPath.index(path, i), depth + 1));
                    }
                    return count(op.equals("$and") ? new Filter.And(children) : new Filter.Or(children), path);
                }
                case "$not" -> {
                    checkDepth(path, depth);
                    return count(new Filter.Not(filter(value, path, depth + 1)), path);
                }
                case "$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists" ->
                        throw new InvalidFilterException(path, "operator " + op + " must be inside a field, e.g. {\"field\":{\""
                                + op + "\":...}}");
                default -> throw new InvalidFilterException(path, "unknown operator " + op);
            }
        }

        private Filter field(String field, JsonNode value, String path, int depth) {
            if (field.isEmpty()) {
                throw new InvalidFilterException(path, "a field name cannot be empty");
            }
            if (!value.isObject()) {
                if (value.isArray()) {
                    throw new InvalidFilterException(path, "a bare array is ambiguous: use {\"$in\": [...]}");
                }
                return count(new Filter.Eq(field, scalar(value, path, "$eq")), path);
            }
            if (value.isEmpty()) {
                throw new InvalidFilterException(path, "expected at least one operator for field " + field);
            }
            List<Filter> parts = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                parts.add(operator(field, e.getKey(), e.getValue(), JsonPath.key(path, e.getKey()), depth));
            }
            return parts.size() == 1 ? parts.get(0) : count(new Filter.And(parts), path);
        }

        private Filter operator(String field, String op, JsonNode value, String path, int depth) {
            return switch (op) {
                case "$eq" -> count(new Filter.Eq(field, scalar(value, path, op)), path);
                case "$ne" -> count(new Filter.Ne(field, scalar(value, path, op)), path);
                case "$gt" -> range(field, Filter.RangeOp.GT, value, path);
                case "$gte" -> range(field, Filter.RangeOp.GTE, value, path);
                case "$lt" -> range(field, Filter.RangeOp.LT, value, path);
                case "$lte" -> range(field, Filter.RangeOp.LTE, value, path);
                case "$in" -> count(new Filter.In(field, list(value, path, op)), path);
                case "$nin" -> count(new Filter.Nin(field, list(value, path, op)), path);
                case "$exists" -> {
                    if (!value.isBoolean()) {
                        throw new InvalidFilterException(path, "$exists expects true or false, found " + kind(value));
                    }
                    yield count(new Filter.Exists(field, value.booleanValue()), path);
                }
                case "$not" -> {
                    checkDepth(path, depth);
                    if (!value.isObject() || value.isEmpty()) {
                        throw new InvalidFilterException(path, "$not inside a field expects an object of operators, found "
                                + kind(value));
                    }
                    yield count(new Filter.Not(field(field, value, path, depth + 1)), path);
                }
                case "$and", "$or" -> throw new InvalidFilterException(path, op + " cannot be inside a field");
                default -> throw new InvalidFilterException(path, op.startsWith("$")
                        ? "unknown operator " + op
                        : "expected an operator such as $eq, found key '" + op + "'");
            };
        }

        private Filter range(String field, Filter.RangeOp op, JsonNode value, String path) {
            ScalarValue v = scalar(value, path, op.operator());
            if (!(v instanceof NumberValue n)) {
                throw new InvalidFilterException(path, op.operator() + " compares numbers only, found " + kind(value));
            }
            return count(new Filter.Range(field, op, n), path);
        }

        private List<ScalarValue> list(JsonNode value, String path, String op) {
            if (!value.isArray()) {
                throw new InvalidFilterException(path, op + " expects an array, found " + kind(value));
            }
            if (value.isEmpty()) {
                throw new InvalidFilterException(path, op + " needs at least one value");
            }
            checkInValues(limits, path, op, value.size());
            List<ScalarValue> values = new ArrayList<>(value.size());
            for (int i = 0; i < value.size(); i++) {
                String elementPath = JsonPath.index(path, i);
                ScalarValue v = scalar(value.get(i), elementPath, op);
                if (!values.isEmpty()) {
                    checkOneKind(values.get(0), v, elementPath, op);
                }
                values.add(v);
            }
            return values;
        }


        private void checkDepth(String path, int depth) {
            FilterJsonCodec.checkDepth(limits, path, depth);
        }

        private Filter count(Filter f, String path) {
            checkNodes(limits, path, ++nodes);
            return f;
        }

    }

    private enum Writer implements FilterVisitor<ObjectNode> {
        INSTANCE;

        @Override
        public ObjectNode eq(Filter.Eq eq) {
            return leaf(eq.field(), "$eq", toJson(eq.value()));
        }

        @Override
        public ObjectNode ne(Filter.Ne ne) {
            return leaf(ne.field(), "$ne", toJson(ne.value()));
        }

        @Override
        public ObjectNode range(Filter.Range range) {
            return leaf(range.field(), range.op().operator(), toJson(range.bound()));
        }

        @Override
        public ObjectNode in(Filter.In in) {
            return leaf(in.field(), "$in", array(in.values()));
        }

        @Override
        public ObjectNode nin(Filter.Nin nin) {
            return leaf(nin.field(), "$nin", array(nin.values()));
        }

        @Override
        public ObjectNode exists(Filter.Exists exists) {
            return leaf(exists.field(), "$exists", NODES.booleanNode(exists.exists()));
        }

        @Override
        public ObjectNode and(Filter.And and) {
            return logical("$and", and.filters());
        }

        @Override
        public ObjectNode or(Filter.Or or) {
            return logical("$or", or.filters());
        }

        @Override
        public ObjectNode not(Filter.Not not) {
            ObjectNode node = NODES.objectNode();
            node.set("$not", not.filter().accept(this));
            return node;
        }

        private ObjectNode logical(String op, List<Filter> filters) {
            ArrayNode children = NODES.arrayNode();
            filters.forEach(f -> children.add(f.accept(this)));
            ObjectNode node = NODES.objectNode();
            node.set(op, children);
            return node;
        }

        private static ObjectNode leaf(String field, String op, JsonNode value) {
            ObjectNode ops = NODES.objectNode();
            ops.set(op, value);
            ObjectNode node = NODES.objectNode();
            node.set(field, ops);
            return node;
        }

        private static ArrayNode array(List<ScalarValue> values) {
            ArrayNode array = NODES.arrayNode();
            values.forEach(v -> array.add(toJson(v)));
            return array;
        }
    }
}

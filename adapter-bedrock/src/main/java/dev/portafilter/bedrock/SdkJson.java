package dev.portafilter.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.internal.JsonPath;
import software.amazon.awssdk.core.SdkNumber;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.services.bedrockagentruntime.model.FilterAttribute;
import software.amazon.awssdk.services.bedrockagentruntime.model.RetrievalFilter;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Moves RetrievalFilters and Documents between the AWS SDK model and Jackson trees. The SDK has no public
 * marshaller for RetrievalFilter, so this goes through the model's getters and builders; everything else (what a
 * filter means) is decided once, on the JSON form.
 */
final class SdkJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The leaf operators: wire name, getter and builder setter (the Java name of {@code equals} is equalsValue). */
    private enum Leaf {
        EQUALS("equals", RetrievalFilter::equalsValue, RetrievalFilter.Builder::equalsValue),
        NOT_EQUALS("notEquals", RetrievalFilter::notEquals, RetrievalFilter.Builder::notEquals),
        GREATER_THAN("greaterThan", RetrievalFilter::greaterThan, RetrievalFilter.Builder::greaterThan),
        GREATER_THAN_OR_EQUALS("greaterThanOrEquals", RetrievalFilter::greaterThanOrEquals,
                RetrievalFilter.Builder::greaterThanOrEquals),
        LESS_THAN("lessThan", RetrievalFilter::lessThan, RetrievalFilter.Builder::lessThan),
        LESS_THAN_OR_EQUALS("lessThanOrEquals", RetrievalFilter::lessThanOrEquals,
                RetrievalFilter.Builder::lessThanOrEquals),
        IN("in", RetrievalFilter::in, RetrievalFilter.Builder::in),
        NOT_IN("notIn", RetrievalFilter::notIn, RetrievalFilter.Builder::notIn),
        LIST_CONTAINS("listContains", RetrievalFilter::listContains, RetrievalFilter.Builder::listContains),
        STRING_CONTAINS("stringContains", RetrievalFilter::stringContains, RetrievalFilter.Builder::stringContains),
        STARTS_WITH("startsWith", RetrievalFilter::startsWith, RetrievalFilter.Builder::startsWith);

        final String wireName;
        final Function<RetrievalFilter, FilterAttribute> getter;
        final BiFunction<RetrievalFilter.Builder, FilterAttribute, RetrievalFilter.Builder> setter;

        Leaf(String wireName, Function<RetrievalFilter, FilterAttribute> getter,
             BiFunction<RetrievalFilter.Builder, FilterAttribute, RetrievalFilter.Builder> setter) {
            this.wireName = wireName;
            this.getter = getter;
            this.setter = setter;
        }

        static Leaf of(String wireName) {
            for (Leaf leaf : values()) {
                if (leaf.wireName.equals(wireName)) {
                    return leaf;
                }
            }
            throw new IllegalArgumentException("not a RetrievalFilter leaf operator: " + wireName);
        }
    }

    private SdkJson() {
    }

    /** The JSON form of an SDK filter; a node with no operator or more than one is an error naming its path. */
    static ObjectNode toJson(RetrievalFilter filter, String path) {
        if (filter == null) {
            throw new InvalidFilterException(path, "expected a RetrievalFilter, found nothing");
        }
        ObjectNode node = NODES.objectNode();
        for (Leaf leaf : Leaf.values()) {
            FilterAttribute attribute = leaf.getter.apply(filter);
            if (attribute != null) {
                ObjectNode body = node.putObject(leaf.wireName);
                body.set("key", attribute.key() == null ? NODES.nullNode() : NODES.textNode(attribute.key()));
                if (attribute.value() != null) {
                    body.set("value", toJson(attribute.value()));
                }
            }
        }
        if (filter.hasAndAll()) {
            node.set("andAll", list(filter.andAll(), JsonPath.key(path, "andAll")));
        }
        if (filter.hasOrAll()) {
            node.set("orAll", list(filter.orAll(), JsonPath.key(path, "orAll")));
        }
        if (node.size() != 1) {
            List<String> set = new ArrayList<>();
            node.fieldNames().forEachRemaining(set::add);
            throw new InvalidFilterException(path, "a RetrievalFilter holds exactly one operator, found "
                    + (set.isEmpty() ? "none" : String.join(", ", set)));
        }
        return node;
    }

    /** The SDK form of RetrievalFilter JSON that {@link BedrockFilterWriter} produced (so already well-formed). */
    static RetrievalFilter toSdk(JsonNode node) {
        String op = node.fieldNames().next();
        JsonNode body = node.get(op);
        if (op.equals("andAll") || op.equals("orAll")) {
            List<RetrievalFilter> members = new ArrayList<>(body.size());
            body.forEach(member -> members.add(toSdk(member)));
            return op.equals("andAll") ? RetrievalFilter.fromAndAll(members) : RetrievalFilter.fromOrAll(members);
        }
        FilterAttribute attribute = FilterAttribute.builder()
                .key(body.get("key").textValue())
                .value(toDocument(body.get("value")))
                .build();
        return Leaf.of(op).setter.apply(RetrievalFilter.builder(), attribute).build();
    }

    /** A Document as a JSON tree; integers stay integers, so 2023 and 2023.0 keep their kinds. */
    static JsonNode toJson(Document document) {
        if (document == null || document.isNull()) {
            return NODES.nullNode();
        }
        if (document.isString()) {
            return NODES.textNode(document.asString());
        }
        if (document.isBoolean()) {
            return NODES.booleanNode(document.asBoolean());
        }
        if (document.isNumber()) {
            return number(document.asNumber());
        }
        if (document.isList()) {
            ArrayNode array = NODES.arrayNode();
            document.asList().forEach(d -> array.add(toJson(d)));
            return array;
        }
        ObjectNode object = NODES.objectNode();
        document.asMap().forEach((k, v) -> object.set(k, toJson(v)));
        return object;
    }

    static Document toDocument(JsonNode node) {
        if (node == null || node.isNull()) {
            return Document.fromNull();
        }
        if (node.isTextual()) {
            return Document.fromString(node.textValue());
        }
        if (node.isBoolean()) {
            return Document.fromBoolean(node.booleanValue());
        }
        if (node.isIntegralNumber()) {
            return Document.fromNumber(SdkNumber.fromBigInteger(node.bigIntegerValue()));
        }
        if (node.isNumber()) {
            return Document.fromNumber(SdkNumber.fromDouble(node.doubleValue()));
        }
        if (node.isArray()) {
            List<Document> list = new ArrayList<>(node.size());
            node.forEach(n -> list.add(toDocument(n)));
            return Document.fromList(list);
        }
        Map<String, Document> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            map.put(e.getKey(), toDocument(e.getValue()));
        }
        return Document.fromMap(map);
    }

    private static JsonNode number(SdkNumber number) {
        String text = number.stringValue();
        if (text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0) {
            BigInteger integer = new BigInteger(text);
            return integer.bitLength() < 64 ? NODES.numberNode(integer.longValue()) : NODES.numberNode(integer);
        }
        return NODES.numberNode(new BigDecimal(text).doubleValue());
    }

    private static ArrayNode list(List<RetrievalFilter> members, String path) {
        ArrayNode array = NODES.arrayNode();
        for (int i = 0; i < members.size(); i++) {
            array.add(toJson(members.get(i), JsonPath.index(path, i)));
        }
        return array;
    }
}

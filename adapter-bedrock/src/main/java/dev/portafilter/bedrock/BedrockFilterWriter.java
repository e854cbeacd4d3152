package dev.portafilter.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portafilter.core.internal.FilterJsonCodec;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.core.filter.BackendProfile;
import dev.portafilter.core.filter.BackendProfile.Storage;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.filter.FilterLowering;
import dev.portafilter.core.filter.LoweredFilter;
import dev.portafilter.core.metadata.MetadataSchema;

import java.util.ArrayList;
import java.util.List;

/**
 * Prints a filter, lowered by core's {@link FilterLowering} under {@link #PROFILE}, as Bedrock RetrievalFilter JSON.
 * {@code docs/bedrock.md} lists every rule.
 */
final class BedrockFilterWriter implements LoweredFilter.Visitor<ObjectNode> {
    /**
     * Bedrock: numbers compared as doubles; no existence test (its {@code notEquals}/{@code notIn} keep records
     * without the key, a presence test becomes one over the field's domain where there is one); no negation of
     * {@code listContains}; no type test; and, for a key that may hold a string or a list, no documented test for
     * "equals v or holds v" ({@code equals} is documented for single values, {@code listContains} for lists only).
     */
    static final BackendProfile PROFILE = BackendProfile.builder(RetrievalFilterCodec.BACKEND)
            .integersAsDoubles()
            .noPresenceTest()
            .noListNegation()
            .noNumberTypeTest()
            .noUndeclaredStringComparison()
            .build();

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private BedrockFilterWriter() {
    }

    /** The RetrievalFilter JSON of a filter; errors name paths in the filter's canonical Portafilter JSON. */
    static ObjectNode write(Filter filter, MetadataSchema schema) {
        return FilterLowering.lower(filter, schema, PROFILE).accept(new BedrockFilterWriter());
    }

    @Override
    public ObjectNode leaf(LoweredFilter.Leaf leaf) {
        String key = leaf.field();
        return switch (leaf.op()) {
            case ANY_OF -> {
                if (leaf.storage() == Storage.STRING_LIST) {
                    List<ObjectNode> contains = new ArrayList<>(leaf.values().size());
                    leaf.values().forEach(v -> contains.add(attribute("listContains", key, FilterJsonCodec.toJson(v))));
                    yield group("orAll", contains);
                }
                // a scalar field, or an undeclared one compared with a number or a boolean, which no list holds
                yield leaf.listForm() ? attribute("in", key, array(leaf))
                        : attribute("equals", key, FilterJsonCodec.toJson(leaf.value()));
            }
            // Bedrock's notEquals and notIn keep records without the key, as the lowering decided
            case NONE_OF -> leaf.listForm() ? attribute("notIn", key, array(leaf))
                    : attribute("notEquals", key, FilterJsonCodec.toJson(leaf.value()));
            case GT -> attribute("greaterThan", key, FilterJsonCodec.toJson(leaf.value()));
            case GTE -> attribute("greaterThanOrEquals", key, FilterJsonCodec.toJson(leaf.value()));
            case LT -> attribute("lessThan", key, FilterJsonCodec.toJson(leaf.value()));
            case LTE -> attribute("lessThanOrEquals", key, FilterJsonCodec.toJson(leaf.value()));
            case PRESENT, MISSING -> throw new IllegalStateException("Bedrock's profile has no presence test");
            case NOT_NUMBER -> throw new IllegalStateException("Bedrock's profile has no number-type test");
        };
    }

    @Override
    public ObjectNode allOf(LoweredFilter.AllOf allOf) {
        return group("andAll", members(allOf.filters()));
    }

    @Override
    public ObjectNode anyOf(LoweredFilter.AnyOf anyOf) {
        return group("orAll", members(anyOf.filters()));
    }

    @Override
    public ObjectNode constant(LoweredFilter.Constant constant) {
        throw new IllegalStateException("a profile with integersAsDoubles leaves no constant");
    }

    private List<ObjectNode> members(List<LoweredFilter> filters) {
        List<ObjectNode> out = new ArrayList<>(filters.size());
        filters.forEach(f -> out.add(f.accept(this)));
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

    private static ObjectNode attribute(String op, String key, JsonNode value) {
        ObjectNode attribute = NODES.objectNode();
        attribute.put("key", key);
        attribute.set("value", value);
        ObjectNode node = NODES.objectNode();
        node.set(op, attribute);
        return node;
    }

    private static ArrayNode array(LoweredFilter.Leaf leaf) {
        ArrayNode array = NODES.arrayNode();
        leaf.values().forEach(v -> array.add(FilterJsonCodec.toJson(v)));
        return array;
    }
}

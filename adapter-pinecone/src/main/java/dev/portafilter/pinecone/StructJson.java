package dev.portafilter.pinecone;

import dev.portafilter.core.filter.BackendProfile;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The JSON text of a protobuf {@link Struct}, as Pinecone's REST API and documentation write it. Numbers that are
 * whole and exactly representable print without a fraction ({@code 2022}, not {@code 2022.0}); Pinecone stores every
 * number as a 64-bit float either way.
 */
final class StructJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private StructJson() {
    }

    static String write(Struct struct) {
        try {
            return MAPPER.writeValueAsString(node(struct));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }

    /** The size Pinecone's metadata limit is measured in: UTF-8 bytes of the JSON text. */
    static int utf8Size(Struct struct) {
        return write(struct).getBytes(StandardCharsets.UTF_8).length;
    }

    private static ObjectNode node(Struct struct) {
        ObjectNode out = NODES.objectNode();
        for (Map.Entry<String, Value> e : struct.getFieldsMap().entrySet()) {
            out.set(e.getKey(), node(e.getValue()));
        }
        return out;
    }

    private static JsonNode node(Value value) {
        return switch (value.getKindCase()) {
            case STRING_VALUE -> NODES.textNode(value.getStringValue());
            case BOOL_VALUE -> NODES.booleanNode(value.getBoolValue());
            case NUMBER_VALUE -> number(value.getNumberValue());
            case STRUCT_VALUE -> node(value.getStructValue());
            case LIST_VALUE -> list(value.getListValue());
            case NULL_VALUE, KIND_NOT_SET -> NODES.nullNode();
        };
    }

    private static JsonNode number(double d) {
        if (BackendProfile.isExactInteger(d)) {
            return NODES.numberNode((long) d);
        }
        return NODES.numberNode(d);
    }

    private static ArrayNode list(ListValue list) {
        ArrayNode out = NODES.arrayNode();
        list.getValuesList().forEach(v -> out.add(node(v)));
        return out;
    }
}

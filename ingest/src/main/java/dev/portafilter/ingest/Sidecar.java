package dev.portafilter.ingest;

import com.fasterxml.jackson.core.JsonParser;
import dev.portafilter.core.internal.FilterJsonCodec;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.metadata.MetadataValue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A parsed {@code <file>.metadata.json}: the metadata, validated against the schema, and the attributes marked
 * {@code includeForEmbedding}. Both of Bedrock's forms are read, also mixed in one file:
 * <pre>
 * {"metadataAttributes": {"customer": "CustomerA", "publicationYear": 2023}}
 * {"metadataAttributes": {"customer": {"value": {"type": "STRING", "stringValue": "CustomerA"},
 *                                      "includeForEmbedding": true}}}
 * </pre>
 */
record Sidecar(Metadata metadata, List<String> embeddedKeys) {
    private static final JsonMapper STRICT = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Set<String> TYPED_MEMBERS = Set.of("value", "includeForEmbedding");

    /** The metadata of a document without a sidecar: none, which the schema may reject for required fields. */
    static Sidecar none(String file, MetadataSchema schema) {
        return validated(file, Metadata.empty(), List.of(), schema);
    }

    static Sidecar parse(String file, String json, MetadataSchema schema) {
        JsonNode root;
        try {
            root = STRICT.readTree(json);
        } catch (IOException e) {
            throw new IngestException(file, null, "malformed JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw new IngestException(file, null, "expected a JSON object with metadataAttributes");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!name.equals("metadataAttributes")) {
                throw new IngestException(file, null, "unsupported member '" + name + "': only metadataAttributes is read");
            }
        }
        JsonNode attributes = root.get("metadataAttributes");
        if (attributes == null || !attributes.isObject()) {
            throw new IngestException(file, null, "metadataAttributes must be an object, found "
                    + FilterJsonCodec.kind(attributes));
        }
        Map<String, MetadataValue> values = new TreeMap<>();
        List<String> embedded = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : attributes.properties()) {
            String key = e.getKey();
            FieldSpec spec = schema.field(key).orElse(null);
            if (spec == null && !schema.allowsUndeclared()) {
                throw new IngestException(file, key, "not declared in the schema");
            }
            JsonNode attribute = e.getValue();
            try {
                // an undeclared attribute is read as its own kind; an empty list is no attribute
                MetadataValue value;
                if (attribute.isObject()) {
                    value = typed(attribute, spec == null ? null : spec.type());
                    if (includeForEmbedding(attribute)) {
                        embedded.add(key);
                    }
                } else {
                    value = MetadataJson.value(attribute, spec == null ? MetadataJson.undeclaredType(attribute)
                            : spec.type());
                }
                if (value != null) {
                    values.put(key, value);
                }
            } catch (IllegalArgumentException ex) {
                throw new IngestException(file, key, ex.getMessage());
            }
        }
        return validated(file, Metadata.of(values), embedded, schema);
    }

    /**
     * The typed form: {"value": {"type": T, "<t>Value": v}, "includeForEmbedding": b}; {@code declared} null for an
     * undeclared attribute, whose type the sidecar's says.
     */
    private static MetadataValue typed(JsonNode attribute, FieldType declared) {
        for (Iterator<String> it = attribute.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!TYPED_MEMBERS.contains(name)) {
                throw new IllegalArgumentException("unexpected member '" + name + "' in a typed attribute");
            }
        }
        JsonNode value = attribute.get("value");
        if (value == null || !value.isObject() || !value.path("type").isTextual()) {
            throw new IllegalArgumentException("a typed attribute needs \"value\": {\"type\": ..., ...}");
        }
        String type = value.get("type").textValue();
        String member = switch (type) {
            case "STRING" -> "stringValue";
            case "NUMBER" -> "numberValue";
            case "BOOLEAN" -> "booleanValue";
            case "STRING_LIST" -> "stringListValue";
            default -> throw new IllegalArgumentException("unknown type '" + type
                    + "': expected STRING, NUMBER, BOOLEAN or STRING_LIST");
        };
        if (value.size() != 2 || !value.has(member)) {
            throw new IllegalArgumentException("a " + type + " value holds exactly type and " + member);
        }
        FieldType fieldType = declared != null ? declared : type.equals("NUMBER")
                ? MetadataJson.undeclaredType(value.get(member)) : FieldType.valueOf(type);
        boolean fits = switch (fieldType) {
            case STRING -> type.equals("STRING");
            case LONG, DOUBLE -> type.equals("NUMBER");
            case BOOLEAN -> type.equals("BOOLEAN");
            case STRING_LIST -> type.equals("STRING_LIST");
        };
        if (!fits) {
            throw new IllegalArgumentException("the sidecar says " + type + ", the schema declares " + fieldType);
        }
        return MetadataJson.value(value.get(member), fieldType);
    }

    private static boolean includeForEmbedding(JsonNode attribute) {
        JsonNode flag = attribute.get("includeForEmbedding");
        if (flag != null && !flag.isBoolean()) {
            throw new IllegalArgumentException("includeForEmbedding must be true or false, found "
                    + FilterJsonCodec.kind(flag));
        }
        return flag != null && flag.booleanValue();
    }

    private static Sidecar validated(String file, Metadata metadata, List<String> embedded, MetadataSchema schema) {
        try {
            return new Sidecar(schema.validateRecord(file, metadata), List.copyOf(embedded));
        } catch (InvalidRecordException e) {
            throw new IngestException(file, e.field(), e.reason());
        }
    }

    /** The text given to the embedder: the chunk, then one {@code key: value} line per includeForEmbedding key. */
    String textToEmbed(String chunk) {
        if (embeddedKeys.isEmpty()) {
            return chunk;
        }
        StringBuilder text = new StringBuilder(chunk).append("\n");
        for (String key : embeddedKeys) {
            text.append('\n').append(key).append(": ").append(metadata.get(key).orElseThrow().toJava());
        }
        return text.toString();
    }
}

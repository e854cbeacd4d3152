package dev.portafilter.opensearch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.metadata.BooleanValue;
import dev.portafilter.core.metadata.DoubleValue;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataValue;
import dev.portafilter.core.metadata.StringListValue;
import dev.portafilter.core.metadata.StringValue;
import dev.portafilter.core.store.VectorRecord;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Records to OpenSearch documents and back, field by field as the layout and the schema declare them. */
final class DocumentCodec {
    /** OpenSearch rejects longer ids. */
    static final int MAX_ID_BYTES = 512;
    /** Lucene cannot index a longer term, so a longer keyword value would fail the whole document. */
    static final int MAX_KEYWORD_BYTES = 32766;

    private final OpenSearchIndexLayout layout;
    private final ObjectMapper json;

    DocumentCodec(OpenSearchIndexLayout layout, ObjectMapper json) {
        this.layout = layout;
        this.json = json;
    }

    /** Refuses, before anything is written, what OpenSearch would refuse for one record of a batch. */
    static void checkLimits(VectorRecord r) {
        if (utf8Length(r.id()) > MAX_ID_BYTES) {
            throw new InvalidRecordException(r.id(), null, "OpenSearch ids are at most " + MAX_ID_BYTES + " bytes");
        }
        r.metadata().asMap().forEach((field, value) -> {
            List<String> strings = value instanceof StringValue s ? List.of(s.value())
                    : value instanceof StringListValue l ? l.values() : List.of();
            for (String s : strings) {
                if (utf8Length(s) > MAX_KEYWORD_BYTES) {
                    throw new InvalidRecordException(r.id(), field, "a string stored in OpenSearch as a keyword is "
                            + "at most " + MAX_KEYWORD_BYTES + " bytes");
                }
            }
        });
    }

    ObjectNode encode(VectorRecord r) {
        ObjectNode doc = json.createObjectNode();
        ArrayNode vector = doc.putArray(layout.vectorField());
        for (float f : queryForm(r.vector())) {
            vector.add(f);
        }
        if (r.text() != null) {
            doc.put(layout.textField(), r.text());
        }
        for (Map.Entry<String, MetadataValue> e : r.metadata().asMap().entrySet()) {
            doc.set(e.getKey(), json.valueToTree(e.getValue().toJava()));
        }
        layout.metadataField().ifPresent(field -> doc.put(field, metadataJson(r.metadata())));
        return doc;
    }

    /** The vector as it is stored and queried: as given for cosinesimil, of unit length for l2 and innerproduct. */
    float[] queryForm(float[] vector) {
        if (!layout.spaceType().needsUnitVectors()) {
            return vector;
        }
        double norm = 0;
        for (float f : vector) {
            norm += (double) f * f;
        }
        float[] unit = new float[vector.length];
        double scale = 1 / Math.sqrt(norm);
        for (int i = 0; i < vector.length; i++) {
            unit[i] = (float) (vector[i] * scale);
        }
        return unit;
    }

    String textOf(JsonNode source) {
        JsonNode text = source.get(layout.textField());
        return text == null || text.isNull() ? null : text.asText();
    }

    /** The metadata of a stored document, typed by the schema; a value of another shape is a store error. */
    Metadata metadataOf(String id, JsonNode source) {
        Map<String, MetadataValue> values = new LinkedHashMap<>();
        for (FieldSpec spec : layout.schema().fields()) {
            JsonNode node = source.get(spec.name());
            if (node == null || node.isNull()) {
                continue;
            }
            MetadataValue value = switch (spec.type()) {
                case STRING -> node.isTextual() ? new StringValue(node.textValue()) : null;
                case LONG -> node.isIntegralNumber() && node.canConvertToLong() ? new LongValue(node.longValue()) : null;
                case DOUBLE -> node.isNumber() ? new DoubleValue(node.doubleValue()) : null;
                case BOOLEAN -> node.isBoolean() ? BooleanValue.of(node.booleanValue()) : null;
                case STRING_LIST -> stringList(node);
            };
            if (value == null) {
                throw new StoreException("document '" + id + "' in index " + layout.indexName() + " holds " + node
                        + " in field '" + spec.name() + "', which the schema declares " + spec.type(), null);
            }
            values.put(spec.name(), value);
        }
        return Metadata.of(values);
    }

    private static MetadataValue stringList(JsonNode node) {
        if (node.isTextual()) {
            return new StringListValue(List.of(node.textValue()));
        }
        if (!node.isArray() || node.isEmpty()) {
            return null;
        }
        List<String> strings = new ArrayList<>(node.size());
        for (JsonNode element : node) {
            if (!element.isTextual()) {
                return null;
            }
            strings.add(element.textValue());
        }
        return new StringListValue(strings);
    }

    private String metadataJson(Metadata metadata) {
        try {
            return json.writeValueAsString(metadata.toJava());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("metadata values are plain JSON values", e);
        }
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}

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
import dev.portafilter.core.metadata.ScalarValue;
import dev.portafilter.core.metadata.StringListValue;
import dev.portafilter.core.metadata.StringValue;
import dev.portafilter.core.store.VectorRecord;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records to OpenSearch documents and back, field by field as the layout and the schema declare them; undeclared
 * fields as the entries of the layout's nested field.
 */
final class DocumentCodec {
    /** OpenSearch rejects longer ids. */
    static final int MAX_ID_BYTES = 512;
    /** Lucene cannot index a longer term, so a longer keyword value would fail the whole document. */
    static final int MAX_KEYWORD_BYTES = 32766;
    /** {@code index.mapping.nested_objects.limit}'s default: a document with more nested objects fails. */
    static final int MAX_NESTED_OBJECTS = 10_000;

    private final OpenSearchIndexLayout layout;
    private final MappedFields fields;
    private final ObjectMapper json;

    DocumentCodec(OpenSearchIndexLayout layout, MappedFields fields, ObjectMapper json) {
        this.layout = layout;
        this.fields = fields;
        this.json = json;
    }

    /** Refuses, before anything is written, what OpenSearch would refuse for one record of a batch. */
    void check(VectorRecord r) {
        if (utf8Length(r.id()) > MAX_ID_BYTES) {
            throw new InvalidRecordException(r.id(), null, "OpenSearch ids are at most " + MAX_ID_BYTES + " bytes");
        }
        int undeclared = 0;
        for (Map.Entry<String, MetadataValue> e : r.metadata().asMap().entrySet()) {
            String field = e.getKey();
            MetadataValue value = e.getValue();
            List<String> strings = value instanceof StringValue s ? List.of(s.value())
                    : value instanceof StringListValue l ? l.values() : List.of();
            for (String s : strings) {
                checkKeyword(r.id(), field, s, "a string");
            }
            MappedFields.Field mapped = fields.field(field);
            if (mapped != null && strings.stream().anyMatch(s -> s.length() > mapped.ignoreAbove())) {
                throw new InvalidRecordException(r.id(), field, "a string longer than " + mapped.ignoreAbove()
                        + " characters, which index " + layout.indexName() + " would not keep in '" + mapped.filter()
                        + "' (ignore_above), so no filter could find it");
            }
            if (mapped == null) {
                undeclared++;
                checkKeyword(r.id(), field, field, "an undeclared field's name");
                String problem = value instanceof LongValue l
                        ? OpenSearchFilterTranslator.PROFILE.undeclaredIntegerProblem(l.value()) : null;
                if (problem != null) {
                    throw new InvalidRecordException(r.id(), field, problem);
                }
            }
        }
        if (undeclared > MAX_NESTED_OBJECTS) {
            throw new InvalidRecordException(r.id(), null, "it has " + undeclared + " undeclared fields; OpenSearch "
                    + "keeps each as a nested object of '" + layout.undeclaredField().orElseThrow() + "', at most "
                    + MAX_NESTED_OBJECTS + " per document (index.mapping.nested_objects.limit)");
        }
    }

    private static void checkKeyword(String id, String field, String keyword, String what) {
        if (utf8Length(keyword) > MAX_KEYWORD_BYTES) {
            throw new InvalidRecordException(id, field, what + " stored in OpenSearch as a keyword is at most "
                    + MAX_KEYWORD_BYTES + " bytes");
        }
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
        layout.idField().ifPresent(field -> doc.put(field, r.id()));
        ObjectNode declared = layout.metadataObject().map(doc::putObject).orElse(doc);
        ArrayNode undeclared = null;
        for (Map.Entry<String, MetadataValue> e : r.metadata().asMap().entrySet()) {
            MetadataValue value = e.getValue();
            if (layout.schema().field(e.getKey()).isPresent()) {
                declared.set(e.getKey(), json.valueToTree(value.toJava()));
                continue;
            }
            if (undeclared == null) {
                undeclared = doc.putArray(layout.undeclaredField().orElseThrow());
            }
            // a list of strings is one entry, its strings one keyword array: one nested object per field
            ScalarValue.ValueKind kind = value instanceof ScalarValue s ? s.kind() : ScalarValue.ValueKind.STRING;
            undeclared.addObject()
                    .put(OpenSearchIndexLayout.KEY, e.getKey())
                    .set(OpenSearchIndexLayout.valueSubfield(kind), json.valueToTree(value.toJava()));
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

    /**
     * The metadata of a stored document: declared fields typed by the schema, undeclared ones by the kind their
     * entry holds. A value of another shape is a store error.
     */
    Metadata metadataOf(String id, JsonNode source) {
        Map<String, MetadataValue> values = new LinkedHashMap<>();
        JsonNode declared = layout.metadataObject().map(source::get).orElse(source);
        for (FieldSpec spec : layout.schema().fields()) {
            JsonNode node = declared == null ? null : declared.get(spec.name());
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
                        + " in field '" + layout.sourcePath(spec.name()) + "', which the schema declares "
                        + spec.type(), null);
            }
            values.put(spec.name(), value);
        }
        layout.undeclaredField().ifPresent(field -> readUndeclared(id, source.get(field), values));
        return Metadata.of(values);
    }

    /** The entries of the nested field, each by the kind its JSON holds: {@code 2} a long, {@code 2.0} a double. */
    private void readUndeclared(String id, JsonNode entries, Map<String, MetadataValue> into) {
        if (entries == null) {
            return;
        }
        if (!entries.isArray()) {
            throw notAnEntry(id, entries);
        }
        for (JsonNode entry : entries) {
            JsonNode key = entry.get(OpenSearchIndexLayout.KEY);
            MetadataValue value = entry.size() == 2 ? undeclaredValue(entry) : null;
            if (key == null || !key.isTextual() || value == null) {
                throw notAnEntry(id, entry);
            }
            if (layout.schema().field(key.textValue()).isPresent()) {
                continue;   // a declared field's own field is the truth
            }
            if (into.put(key.textValue(), value) != null) {
                throw notAnEntry(id, entry);
            }
        }
    }

    private StoreException notAnEntry(String id, JsonNode node) {
        return new StoreException("document '" + id + "' in index " + layout.indexName() + " holds " + node + " in '"
                + layout.undeclaredField().orElseThrow() + "', which is not one undeclared field's only entry", null);
    }

    private static MetadataValue undeclaredValue(JsonNode entry) {
        JsonNode s = entry.get(OpenSearchIndexLayout.STRING);
        JsonNode n = entry.get(OpenSearchIndexLayout.NUMBER);
        JsonNode b = entry.get(OpenSearchIndexLayout.BOOLEAN);
        if (s != null) {
            return s.isTextual() ? new StringValue(s.textValue()) : s.isArray() ? stringList(s) : null;
        }
        if (n != null) {
            return n.isIntegralNumber() && n.canConvertToLong() ? new LongValue(n.longValue())
                    : n.isFloatingPointNumber() ? new DoubleValue(n.doubleValue()) : null;
        }
        return b != null && b.isBoolean() ? BooleanValue.of(b.booleanValue()) : null;
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

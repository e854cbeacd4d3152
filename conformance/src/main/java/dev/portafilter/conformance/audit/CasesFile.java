package dev.portafilter.conformance.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portafilter.core.internal.FilterJsonCodec;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.internal.JsonPath;
import dev.portafilter.core.filter.ParseLimits;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorRecord;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An auditor's own cases, one JSON document:
 * <pre>{@code
 * {"schema":  {"customer": {"type": "STRING", "required": true}, ...},
 *  "records": [{"id": "r1", "text": "...", "metadata": {...}}, ...],
 *  "cases":   [{"name": "...", "filter": {...}, "expect": ["r1", ...]}, ...]}
 * }</pre>
 * Every error names the JSON path of the offending node.
 */
public record CasesFile(MetadataSchema schema, List<VectorRecord> records, List<Case> cases) {
    /** Small on purpose: only the filter is under test, so vectors are derived from the ids. */
    public static final int DIMENSION = 16;

    public record Case(String name, Filter filter, Set<String> expect) {
    }

    public static CasesFile parse(String json) {
        JsonNode root;
        try {
            root = FilterJsonCodec.readTree(json, ParseLimits.DEFAULT);
        } catch (InvalidFilterException e) {
            throw new CasesFileException(e.path(), e.reason());
        }
        requireObject(root, JsonPath.ROOT, Set.of("schema", "records", "cases"));
        // the schema is optional: a field it does not list is undeclared, with each value's own kind
        MetadataSchema schema = root.has("schema")
                ? schema(root.get("schema"), JsonPath.key(JsonPath.ROOT, "schema"), true)
                : MetadataSchema.builder().allowUndeclared().build();
        List<VectorRecord> records = records(required(root, "records", JsonPath.ROOT), schema);
        Set<String> ids = new LinkedHashSet<>();
        records.forEach(r -> ids.add(r.id()));
        List<Case> cases = cases(required(root, "cases", JsonPath.ROOT), schema, ids);
        return new CasesFile(schema, records, cases);
    }

    /**
     * A schema file on its own: either the {@code "schema"} object of a cases file, or a whole cases file (its other
     * parts are ignored).
     */
    public static MetadataSchema parseSchema(String json) {
        JsonNode root;
        try {
            root = FilterJsonCodec.readTree(json, ParseLimits.DEFAULT);
        } catch (InvalidFilterException e) {
            throw new CasesFileException(e.path(), e.reason());
        }
        if (root.isObject() && root.has("schema") && root.get("schema").isObject()) {
            return schema(root.get("schema"), JsonPath.key(JsonPath.ROOT, "schema"), false);
        }
        return schema(root, JsonPath.ROOT, false);
    }

    private static MetadataSchema schema(JsonNode node, String path, boolean allowUndeclared) {
        requireObject(node, path, null);
        MetadataSchema.Builder builder = MetadataSchema.builder();
        if (allowUndeclared) {
            builder.allowUndeclared();
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String fieldPath = JsonPath.key(path, e.getKey());
            requireObject(e.getValue(), fieldPath, Set.of("type", "required"));
            JsonNode type = required(e.getValue(), "type", fieldPath);
            FieldType fieldType;
            try {
                fieldType = FieldType.valueOf(type.asText());
            } catch (IllegalArgumentException ex) {
                throw new CasesFileException(JsonPath.key(fieldPath, "type"), "expected one of STRING, LONG, DOUBLE, "
                        + "BOOLEAN, STRING_LIST, found " + type);
            }
            JsonNode required = e.getValue().get("required");
            if (required != null && !required.isBoolean()) {
                throw new CasesFileException(JsonPath.key(fieldPath, "required"), "expected true or false");
            }
            try {
                builder.field(new FieldSpec(e.getKey(), fieldType, required != null && required.booleanValue()));
            } catch (IllegalArgumentException ex) {
                throw new CasesFileException(fieldPath, ex.getMessage());
            }
        }
        return builder.build();
    }

    private static List<VectorRecord> records(JsonNode node, MetadataSchema schema) {
        String path = JsonPath.key(JsonPath.ROOT, "records");
        requireArray(node, path);
        List<VectorRecord> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String at = JsonPath.index(path, i);
            JsonNode r = node.get(i);
            requireObject(r, at, Set.of("id", "text", "metadata"));
            String id = text(required(r, "id", at), JsonPath.key(at, "id"));
            if (id.isEmpty() || !seen.add(id)) {
                throw new CasesFileException(JsonPath.key(at, "id"), id.isEmpty() ? "an id cannot be empty"
                        : "id '" + id + "' appears twice");
            }
            String text = r.has("text") ? text(r.get("text"), JsonPath.key(at, "text")) : null;
            String metadataPath = JsonPath.key(at, "metadata");
            JsonNode m = r.has("metadata") ? r.get("metadata") : null;
            Map<String, Object> values = new LinkedHashMap<>();
            if (m != null) {
                requireObject(m, metadataPath, null);
                m.fields().forEachRemaining(e -> values.put(e.getKey(), plain(e.getValue(), JsonPath.key(metadataPath, e.getKey()))));
            }
            Metadata metadata;
            try {
                metadata = schema.validateRecord(id, Metadata.of(values));
            } catch (InvalidRecordException ex) {
                throw new CasesFileException(ex.field() == null ? metadataPath : JsonPath.key(metadataPath, ex.field()),
                        ex.reason());
            } catch (IllegalArgumentException ex) {
                throw new CasesFileException(metadataPath, ex.getMessage());
            }
            out.add(new VectorRecord(id, ScenarioDataset.vectorFor(id, DIMENSION), text, metadata));
        }
        return out;
    }

    private static List<Case> cases(JsonNode node, MetadataSchema schema, Set<String> ids) {
        String path = JsonPath.key(JsonPath.ROOT, "cases");
        requireArray(node, path);
        List<Case> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String at = JsonPath.index(path, i);
            JsonNode c = node.get(i);
            requireObject(c, at, Set.of("name", "filter", "expect"));
            String name = text(required(c, "name", at), JsonPath.key(at, "name"));
            String filterPath = JsonPath.key(at, "filter");
            Filter filter;
            try {
                filter = FilterJsonCodec.parse(required(c, "filter", at), filterPath, ParseLimits.DEFAULT);
                schema.validate(filter);
            } catch (InvalidFilterException e) {
                // schema paths are relative to the filter; parser paths already start at filterPath
                String p = e.path().startsWith(filterPath) ? e.path() : filterPath + e.path().substring(1);
                throw new CasesFileException(p, e.reason());
            }
            JsonNode expect = required(c, "expect", at);
            String expectPath = JsonPath.key(at, "expect");
            requireArray(expect, expectPath);
            Set<String> expected = new LinkedHashSet<>();
            for (int j = 0; j < expect.size(); j++) {
                String id = text(expect.get(j), JsonPath.index(expectPath, j));
                if (!ids.contains(id)) {
                    throw new CasesFileException(JsonPath.index(expectPath, j), "no record has id '" + id + "'");
                }
                expected.add(id);
            }
            out.add(new Case(name, filter, expected));
        }
        return out;
    }

    private static Object plain(JsonNode v, String path) {
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            return v.longValue();
        }
        if (v.isNumber() && !v.isIntegralNumber()) {
            return v.doubleValue();
        }
        if (v.isArray()) {
            List<String> list = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                list.add(text(v.get(i), JsonPath.index(path, i)));
            }
            return list;
        }
        throw new CasesFileException(path, "expected a string, number, boolean or list of strings, found " + v.getNodeType()
                .name().toLowerCase());
    }

    private static JsonNode required(JsonNode node, String key, String path) {
        JsonNode v = node.get(key);
        if (v == null) {
            throw new CasesFileException(JsonPath.key(path, key), "missing");
        }
        return v;
    }

    private static String text(JsonNode node, String path) {
        if (!node.isTextual()) {
            throw new CasesFileException(path, "expected a string, found " + node.getNodeType().name().toLowerCase());
        }
        return node.textValue();
    }

    private static void requireArray(JsonNode node, String path) {
        if (!node.isArray()) {
            throw new CasesFileException(path, "expected an array, found " + node.getNodeType().name().toLowerCase());
        }
    }

    private static void requireObject(JsonNode node, String path, Set<String> allowedKeys) {
        if (!node.isObject()) {
            throw new CasesFileException(path, "expected an object, found " + node.getNodeType().name().toLowerCase());
        }
        if (allowedKeys != null) {
            node.fieldNames().forEachRemaining(k -> {
                if (!allowedKeys.contains(k)) {
                    throw new CasesFileException(JsonPath.key(path, k), "unknown key; expected one of " + allowedKeys);
                }
            });
        }
    }
}

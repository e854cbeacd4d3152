package dev.portafilter.core.metadata;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** A record's metadata: field name to value, immutable, iterated in field-name order. */
public final class Metadata {
    private static final Metadata EMPTY = new Metadata(new TreeMap<>());

    private final Map<String, MetadataValue> values;

    private Metadata(TreeMap<String, MetadataValue> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    public static Metadata empty() {
        return EMPTY;
    }

    /**
     * Converts plain Java values (String, integer types, Double/Float, Boolean, List of String) or
     * {@link MetadataValue}s. An empty list is the field absent: OpenSearch cannot tell the two apart, so no backend
     * may. Throws {@link IllegalArgumentException} naming the field that is not a value.
     */
    public static Metadata of(Map<String, ?> values) {
        TreeMap<String, MetadataValue> converted = new TreeMap<>();
        for (Map.Entry<String, ?> e : values.entrySet()) {
            String field = Objects.requireNonNull(e.getKey(), "field name");
            if (e.getValue() instanceof Collection<?> list && list.isEmpty()) {
                continue;
            }
            try {
                converted.put(field, MetadataValue.of(e.getValue()));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("field '" + field + "': " + ex.getMessage(), ex);
            }
        }
        return new Metadata(converted);
    }

    /** Convenience for literals: {@code Metadata.of("customer", "CustomerA", "publicationYear", 2023)}. */
    public static Metadata of(Object... fieldsAndValues) {
        if (fieldsAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("expected field/value pairs");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            map.put((String) fieldsAndValues[i], fieldsAndValues[i + 1]);
        }
        return of(map);
    }

    public Optional<MetadataValue> get(String field) {
        return Optional.ofNullable(values.get(field));
    }

    public boolean has(String field) {
        return values.containsKey(field);
    }

    public Set<String> fields() {
        return values.keySet();
    }

    public Map<String, MetadataValue> asMap() {
        return values;
    }

    /** Plain Java values, for serializers. */
    public Map<String, Object> toJava() {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, v.toJava()));
        return out;
    }

    /** A copy with one field set. */
    public Metadata with(String field, MetadataValue value) {
        TreeMap<String, MetadataValue> copy = new TreeMap<>(values);
        copy.put(field, Objects.requireNonNull(value));
        return new Metadata(copy);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Metadata m && values.equals(m.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}

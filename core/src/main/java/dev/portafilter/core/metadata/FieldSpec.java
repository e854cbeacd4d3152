package dev.portafilter.core.metadata;

import java.util.Objects;

/** One declared metadata field. */
public record FieldSpec(String name, FieldType type, boolean required) {
    public FieldSpec {
        if (name == null || name.isEmpty() || name.startsWith("$")) {
            throw new IllegalArgumentException("invalid field name: " + name);
        }
        Objects.requireNonNull(type, "type");
    }
}

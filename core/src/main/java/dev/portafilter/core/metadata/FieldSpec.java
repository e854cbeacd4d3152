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

    /** Why a filter value cannot be compared with this field (another kind), or null when it can. */
    public String kindProblem(ScalarValue value) {
        return value.kind() == type.valueKind() ? null
                : "field '" + name + "' is " + type + ", but the value " + value + " is a "
                + value.kind().name().toLowerCase();
    }
}

package dev.portafilter.core.metadata;

import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.BackendProfile;
import dev.portafilter.core.filter.FilterLowering;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The declared metadata fields, their types and whether each is required. It checks filters and records
 * with typed errors, and it is the only source of field names that adapters turn into columns or mappings.
 *
 * <p>A schema that {@linkplain Builder#allowUndeclared() allows undeclared fields} also accepts any other key, in
 * records and in filters: such a field lives in the record's metadata document, each value keeps the kind it was
 * written with, and filters on it mean exactly what {@code docs/semantics.md} says (equality is kind-exact apart from
 * {@code 2 == 2.0}, ranges compare numbers only). Declared fields keep their typed columns and mappings.
 */
public final class MetadataSchema {
    private final Map<String, FieldSpec> fields;
    private final boolean allowsUndeclared;

    private MetadataSchema(Map<String, FieldSpec> fields, boolean allowsUndeclared) {
        this.fields = fields;
        this.allowsUndeclared = allowsUndeclared;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static MetadataSchema of(Collection<FieldSpec> specs) {
        Builder b = builder();
        specs.forEach(b::field);
        return b.build();
    }

    /**
     * This schema with one more declared field (and the same policy for undeclared ones), for a store whose schema
     * grows; {@link IllegalArgumentException} if the field is declared already.
     */
    public MetadataSchema withField(FieldSpec spec) {
        Builder b = builder();
        fields.values().forEach(b::field);
        b.field(spec);
        if (allowsUndeclared) {
            b.allowUndeclared();
        }
        return b.build();
    }

    /** Whether records and filters may use fields the schema does not declare. */
    public boolean allowsUndeclared() {
        return allowsUndeclared;
    }

    public Optional<FieldSpec> field(String name) {
        return Optional.ofNullable(fields.get(name));
    }

    /** Fields in declaration order. */
    public List<FieldSpec> fields() {
        return List.copyOf(fields.values());
    }

    /**
     * Checks a filter: every field declared, every value of the field's kind, ranges only on numbers. Throws
     * {@link InvalidFilterException} naming the first offending operator's JSON path.
     */
    public void validate(Filter filter) {
        // the lowering's checks, with no backend limit: one implementation of the rules and their messages
        FilterLowering.lower(filter, this, BackendProfile.REFERENCE);
    }

    /**
     * Checks a record's metadata and returns it normalized (integers stored in a DOUBLE field become doubles).
     * Throws {@link InvalidRecordException} on an unknown field, a missing required field or a wrong type.
     */
    public Metadata validateRecord(String recordId, Metadata metadata) {
        for (FieldSpec spec : fields.values()) {
            if (spec.required() && !metadata.has(spec.name())) {
                throw new InvalidRecordException(recordId, spec.name(), "required field is missing");
            }
        }
        Metadata normalized = metadata;
        for (Map.Entry<String, MetadataValue> e : metadata.asMap().entrySet()) {
            FieldSpec spec = fields.get(e.getKey());
            if (spec == null) {
                if (allowsUndeclared) {
                    continue;   // its value, of whatever kind, is the record's own
                }
                throw new InvalidRecordException(recordId, e.getKey(), "field is not declared in the schema");
            }
            MetadataValue value = e.getValue();
            MetadataValue fitted = fit(spec, value);
            if (fitted == null) {
                throw new InvalidRecordException(recordId, e.getKey(), "expected " + spec.type() + ", found "
                        + JavaValues.describe(value.toJava()) + " " + value);
            }
            if (fitted != value) {
                normalized = normalized.with(e.getKey(), fitted);
            }
        }
        return normalized;
    }

    private static MetadataValue fit(FieldSpec spec, MetadataValue value) {
        return switch (spec.type()) {
            case STRING -> value instanceof StringValue ? value : null;
            case LONG -> value instanceof LongValue ? value : null;
            case DOUBLE -> value instanceof DoubleValue ? value
                    : value instanceof LongValue l ? new DoubleValue(l.value()) : null;
            case BOOLEAN -> value instanceof BooleanValue ? value : null;
            case STRING_LIST -> value instanceof StringListValue ? value : null;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetadataSchema s && fields.equals(s.fields) && allowsUndeclared == s.allowsUndeclared;
    }

    @Override
    public int hashCode() {
        return fields.hashCode() * 31 + Boolean.hashCode(allowsUndeclared);
    }

    @Override
    public String toString() {
        return "MetadataSchema" + fields.values() + (allowsUndeclared ? " + undeclared" : "");
    }

    public static final class Builder {
        private final Map<String, FieldSpec> fields = new LinkedHashMap<>();
        private boolean allowUndeclared;

        public Builder required(String name, FieldType type) {
            return field(new FieldSpec(name, type, true));
        }

        public Builder optional(String name, FieldType type) {
            return field(new FieldSpec(name, type, false));
        }

        public Builder field(FieldSpec spec) {
            if (fields.putIfAbsent(spec.name(), spec) != null) {
                throw new IllegalArgumentException("field declared twice: " + spec.name());
            }
            return this;
        }

        /**
         * Accept fields this schema does not declare, in records and filters (see the class comment). A filter on a
         * misspelt field then matches as a missing field does instead of failing, so declare the fields that carry
         * a guarantee; a tenant field is always declared ({@link dev.portafilter.core.tenant.TenantScope} refuses an
         * undeclared one).
         */
        public Builder allowUndeclared() {
            this.allowUndeclared = true;
            return this;
        }

        public MetadataSchema build() {
            return new MetadataSchema(new LinkedHashMap<>(fields), allowUndeclared);
        }
    }

}

package dev.portafilter.core.metadata;

import java.util.List;

/**
 * A non-empty list of strings. There is no empty list value: backends disagree on whether one "exists" (SQL says
 * yes, OpenSearch and Pinecone say no), so {@link Metadata#of(java.util.Map)} reads {@code []} as the field absent.
 */
public record StringListValue(List<String> values) implements MetadataValue {
    public StringListValue {
        if (values == null || values.isEmpty()) {
            throw new IllegalArgumentException("a list value must hold at least one string; omit the field instead");
        }
        for (String v : values) {
            if (v == null) {
                throw new IllegalArgumentException("a list value may not hold null");
            }
        }
        values = List.copyOf(values);
    }

    @Override
    public Object toJava() {
        return values;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}

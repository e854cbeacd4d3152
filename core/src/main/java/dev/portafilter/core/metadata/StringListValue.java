package dev.portafilter.core.metadata;

import java.util.List;

/**
 * A non-empty list of strings. An empty list is rejected because backends disagree on whether it "exists"
 * (SQL says yes, OpenSearch and Pinecone say no); omit the field instead.
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

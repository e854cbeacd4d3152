package dev.portafilter.core.metadata;

import java.util.Objects;

public record StringValue(String value) implements ScalarValue {
    public StringValue {
        Objects.requireNonNull(value, "a string value cannot be null");
    }

    @Override
    public ValueKind kind() {
        return ValueKind.STRING;
    }

    @Override
    public Object toJava() {
        return value;
    }

    @Override
    public String toString() {
        return '"' + value + '"';
    }
}

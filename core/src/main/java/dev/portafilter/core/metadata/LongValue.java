package dev.portafilter.core.metadata;

public record LongValue(long value) implements NumberValue {
    @Override
    public double asDouble() {
        return value;
    }

    @Override
    public Object toJava() {
        return value;
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}

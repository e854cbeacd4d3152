package dev.portafilter.core.metadata;

public record BooleanValue(boolean value) implements ScalarValue {
    public static final BooleanValue TRUE = new BooleanValue(true);
    public static final BooleanValue FALSE = new BooleanValue(false);

    public static BooleanValue of(boolean value) {
        return value ? TRUE : FALSE;
    }

    @Override
    public ValueKind kind() {
        return ValueKind.BOOLEAN;
    }

    @Override
    public Object toJava() {
        return value;
    }

    @Override
    public String toString() {
        return Boolean.toString(value);
    }
}

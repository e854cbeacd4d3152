package dev.portafilter.core.metadata;

public record DoubleValue(double value) implements NumberValue {
    public DoubleValue {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("a number must be finite, found " + value);
        }
        // -0.0 and 0.0 are one number; keeping one form keeps record equality numeric.
        if (value == 0.0) {
            value = 0.0;
        }
    }

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
        return Double.toString(value);
    }
}

package dev.portafilter.core.metadata;

/** A single value: the only kind a filter compares against. */
public sealed interface ScalarValue extends MetadataValue permits StringValue, NumberValue, BooleanValue {

    static ScalarValue of(Object value) {
        if (value instanceof ScalarValue v) {
            return v;
        }
        if (value instanceof String s) {
            return new StringValue(s);
        }
        if (value instanceof Boolean b) {
            return BooleanValue.of(b);
        }
        if (value instanceof Number n) {
            return NumberValue.of(n);
        }
        throw new IllegalArgumentException("expected a string, number or boolean, found " + JavaValues.describe(value));
    }

    /** The value's kind, used to reject comparisons between kinds that can never be equal. */
    ValueKind kind();

    enum ValueKind { STRING, NUMBER, BOOLEAN }
}

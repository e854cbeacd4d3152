package dev.portafilter.core.metadata;

import java.math.BigDecimal;

/** A number. Integers and doubles compare by numeric value, so {@code 2 == 2.0}. */
public sealed interface NumberValue extends ScalarValue, Comparable<NumberValue> permits LongValue, DoubleValue {

    double asDouble();

    @Override
    default ValueKind kind() {
        return ValueKind.NUMBER;
    }

    /** Exact numeric comparison, also between a long and a double that a double cannot hold exactly. */
    @Override
    default int compareTo(NumberValue other) {
        if (this instanceof LongValue a && other instanceof LongValue b) {
            return Long.compare(a.value(), b.value());
        }
        return exact(this).compareTo(exact(other));
    }

    /** Numeric equality: {@code 2} equals {@code 2.0}. */
    default boolean numericallyEquals(NumberValue other) {
        return compareTo(other) == 0;
    }

    private static BigDecimal exact(NumberValue v) {
        return v instanceof LongValue l ? BigDecimal.valueOf(l.value()) : new BigDecimal(((DoubleValue) v).value());
    }
}

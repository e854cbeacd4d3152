package dev.portafilter.core.metadata;

import java.math.BigDecimal;
import java.math.BigInteger;

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

    /** Numbers of any Java type as a {@link NumberValue}, rejecting what does not fit a long or a finite double. */
    static NumberValue of(Number n) {
        if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return new LongValue(n.longValue());
        }
        if (n instanceof BigInteger big) {
            if (big.bitLength() > 63) {
                throw new IllegalArgumentException("integer " + big + " does not fit in 64 bits");
            }
            return new LongValue(big.longValue());
        }
        if (n instanceof BigDecimal dec) {
            return new DoubleValue(dec.doubleValue());
        }
        return new DoubleValue(n.doubleValue());
    }
}

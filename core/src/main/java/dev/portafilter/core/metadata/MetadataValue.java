package dev.portafilter.core.metadata;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A metadata value: a string, a 64-bit integer, a finite double, a boolean, or a non-empty list of strings.
 * {@code null}, NaN and infinities are not values.
 */
public sealed interface MetadataValue permits ScalarValue, StringListValue {

    /** The plain Java form: String, Long, Double, Boolean or List&lt;String&gt;. */
    Object toJava();

    /** Converts a plain Java value; throws {@link IllegalArgumentException} saying why it is not a value. */
    static MetadataValue of(Object value) {
        if (value instanceof MetadataValue v) {
            return v;
        }
        if (value instanceof Collection<?> list) {
            List<String> strings = new ArrayList<>(list.size());
            for (Object element : list) {
                if (!(element instanceof String s)) {
                    throw new IllegalArgumentException("a list value may hold only strings, found "
                            + describe(element));
                }
                strings.add(s);
            }
            return new StringListValue(strings);
        }
        return ScalarValue.of(value);
    }

    /** A short description of a Java value's kind, for error messages. */
    static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        if (value instanceof Number) {
            return "a number";
        }
        if (value instanceof Collection<?>) {
            return "a list";
        }
        return "a " + value.getClass().getSimpleName();
    }

    /** Numbers of any Java type as a {@link NumberValue}, rejecting what does not fit a long or a finite double. */
    static NumberValue number(Number n) {
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

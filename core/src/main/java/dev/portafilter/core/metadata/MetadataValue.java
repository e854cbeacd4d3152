package dev.portafilter.core.metadata;

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
                            + JavaValues.describe(element));
                }
                strings.add(s);
            }
            return new StringListValue(strings);
        }
        return ScalarValue.of(value);
    }
}

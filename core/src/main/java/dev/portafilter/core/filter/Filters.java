package dev.portafilter.core.filter;

import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.ScalarValue;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * The Java builder: {@code and(eq("customer", "CustomerA"), gte("publicationYear", 2022))}. Values are
 * Strings, Numbers or Booleans; anything else is an {@link IllegalArgumentException}.
 */
public final class Filters {
    private Filters() {
    }

    public static Filter eq(String field, Object value) {
        return new Filter.Eq(field, ScalarValue.of(value));
    }

    public static Filter ne(String field, Object value) {
        return new Filter.Ne(field, ScalarValue.of(value));
    }

    public static Filter gt(String field, Number bound) {
        return range(field, Filter.RangeOp.GT, bound);
    }

    public static Filter gte(String field, Number bound) {
        return range(field, Filter.RangeOp.GTE, bound);
    }

    public static Filter lt(String field, Number bound) {
        return range(field, Filter.RangeOp.LT, bound);
    }

    public static Filter lte(String field, Number bound) {
        return range(field, Filter.RangeOp.LTE, bound);
    }

    public static Filter in(String field, Collection<?> values) {
        return new Filter.In(field, scalars(values));
    }

    public static Filter in(String field, Object... values) {
        return in(field, Arrays.asList(values));
    }

    public static Filter nin(String field, Collection<?> values) {
        return new Filter.Nin(field, scalars(values));
    }

    public static Filter nin(String field, Object... values) {
        return nin(field, Arrays.asList(values));
    }

    public static Filter exists(String field) {
        return new Filter.Exists(field, true);
    }

    public static Filter missing(String field) {
        return new Filter.Exists(field, false);
    }

    public static Filter and(Filter... filters) {
        return new Filter.And(List.of(filters));
    }

    public static Filter and(List<? extends Filter> filters) {
        return new Filter.And(List.copyOf(filters));
    }

    public static Filter or(Filter... filters) {
        return new Filter.Or(List.of(filters));
    }

    public static Filter or(List<? extends Filter> filters) {
        return new Filter.Or(List.copyOf(filters));
    }

    public static Filter not(Filter filter) {
        return new Filter.Not(filter);
    }

    private static Filter range(String field, Filter.RangeOp op, Number bound) {
        if (bound == null) {
            throw new IllegalArgumentException(op.operator() + " needs a number, found null");
        }
        NumberValue value = NumberValue.of(bound);
        return new Filter.Range(field, op, value);
    }

    private static List<ScalarValue> scalars(Collection<?> values) {
        return values.stream().map(ScalarValue::of).toList();
    }
}

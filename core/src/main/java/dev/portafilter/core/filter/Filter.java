package dev.portafilter.core.filter;

import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.ScalarValue;

import java.util.List;
import java.util.Objects;

/**
 * A portable metadata filter: a small immutable tree. Build one with {@link Filters}, parse one with
 * {@link FilterJson}, and walk one with a {@link FilterVisitor}. The meaning of every node is written in
 * {@code docs/semantics.md} and implemented by {@link ReferenceEvaluator}.
 */
public sealed interface Filter {

    <R> R accept(FilterVisitor<R> visitor);

    /** Whether a record with this metadata matches, by the reference semantics. */
    default boolean test(Metadata metadata) {
        return ReferenceEvaluator.matches(this, metadata);
    }

    /** {@code field $eq value}; on a list field, any element equals value. */
    record Eq(String field, ScalarValue value) implements Filter {
        public Eq {
            field = checkField(field);
            Objects.requireNonNull(value, "value");
        }

        @Override
        public <R> R accept(FilterVisitor<R> visitor) {
            return visitor.eq(this);
        }
    }

    /** {@code field $ne value}: exactly {@code $not (field $eq value)}, so a missing field matches. */
    record Ne(String field, ScalarValue value) implements Filter {
        public Ne {
            field = checkField(field);
            Objects.requireNonNull(value, "value");
        }

        @Override
        public <R> R accept(FilterVisitor<R> visitor) {
            return visitor.ne(this);
        }
    }

    /** {@code field $gt|$gte|$lt|$lte bound}, numbers only; a missing field does not match. */
    record Range(String field, RangeOp op, NumberValue bound) implements Filter {
        public Range {
            field = checkField(field);
            Objects.requireNonNull(op, "op");
            Objects.requireNonNull(bound, "bound");
        }

        @Override
        public <R> R accept(FilterVisitor<R> visitor) {
            return visitor.range(this);
        }
    }

    /** {@code field $in [values]}; on a list field, any element is one of values. */
    record In(String field, List<ScalarValue> values) implements Filter {
        public In {
            field = checkField(field);
            values = checkValues(values);
        }

        @Override
        public <R> R accept(FilterVisitor<R> visitor) {
            return visitor.in(this);
        }
    }

    /** {@code field $nin [values]}: exactly {@code $not (field $in values)}, so a missing field matches. */
    record Nin(String field, List<ScalarValue> values) implements Filter {
        public Nin {
            field = checkField(field);
            values = checkValues(values);
        }

        @Override
        public <R> R accept(FilterVisitor<R> visitor) {
            return visitor.nin(this);
        }
    }

    /** {@code field $exists true|false}. */
    record Exists(String field, boolean exists) implements Filter {
        public Exists {
            field = checkField(field);
        }

        @Override
        public <R> R accept(FilterVisitor<R> visitor) {
            return visitor.exists(this);
        }
    }

    /** All of the filters match. */
    record And(List<Filter> filters) implements Filter {
        public And {
            filters = checkChildren(filters, "$and");
        }

        @Override
        public <R> R accept(FilterVisitor<R> visitor) {
            return visitor.and(this);
        }
    }

    /** At least one of the filters matches. */
    record Or(List<Filter> filters) implements Filter {
        public Or {
            filters = checkChildren(filters, "$or");
        }

        @Override
        public <R> R accept(FilterVisitor<R> visitor) {
            return visitor.or(this);
        }
    }

    /** The complement: matches exactly the records the inner filter does not. */
    record Not(Filter filter) implements Filter {
        public Not {
            Objects.requireNonNull(filter, "filter");
        }

        @Override
        public <R> R accept(FilterVisitor<R> visitor) {
            return visitor.not(this);
        }
    }

    enum RangeOp {
        GT("$gt"), GTE("$gte"), LT("$lt"), LTE("$lte");

        private final String operator;

        RangeOp(String operator) {
            this.operator = operator;
        }

        /** The JSON operator, e.g. {@code $gte}. */
        public String operator() {
            return operator;
        }

        /** The operator that holds for a number exactly where this one does not: {@code GT} and {@code LTE}. */
        public RangeOp complement() {
            return switch (this) {
                case GT -> LTE;
                case GTE -> LT;
                case LT -> GTE;
                case LTE -> GT;
            };
        }

        /** Whether {@code value op bound} holds, given {@code value.compareTo(bound)}. */
        public boolean holds(int comparison) {
            return switch (this) {
                case GT -> comparison > 0;
                case GTE -> comparison >= 0;
                case LT -> comparison < 0;
                case LTE -> comparison <= 0;
            };
        }
    }

    private static String checkField(String field) {
        if (field == null || field.isEmpty()) {
            throw new IllegalArgumentException("a field name cannot be empty");
        }
        if (field.startsWith("$")) {
            throw new IllegalArgumentException("a field name cannot start with '$': " + field);
        }
        return field;
    }

    private static List<ScalarValue> checkValues(List<ScalarValue> values) {
        if (values == null || values.isEmpty()) {
            throw new IllegalArgumentException("$in and $nin need at least one value");
        }
        List<ScalarValue> copy = List.copyOf(values);
        ScalarValue.ValueKind kind = copy.get(0).kind();
        for (ScalarValue v : copy) {
            if (v.kind() != kind) {
                throw new IllegalArgumentException("$in and $nin values must all be of one kind, found "
                        + kind + " and " + v.kind());
            }
        }
        return copy;
    }

    private static List<Filter> checkChildren(List<Filter> filters, String op) {
        if (filters == null || filters.isEmpty()) {
            throw new IllegalArgumentException(op + " needs at least one filter");
        }
        return List.copyOf(filters);
    }
}

package dev.portafilter.core.filter;

import dev.portafilter.core.filter.BackendProfile.Storage;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataValue;
import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.ScalarValue;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A filter as {@link FilterLowering} leaves it for one backend: no negation, every bound already in the field's
 * storage type, and every leaf saying whether a record without the field matches. A translator prints it node by
 * node and decides nothing; {@link #test} is its meaning, equal to the source filter's.
 */
public sealed interface LoweredFilter {

    <R> R accept(Visitor<R> visitor);

    /** Whether a record with this metadata matches. */
    boolean test(Metadata metadata);

    /** One method per node, so that a new node breaks the compile of every printer that does not handle it. */
    interface Visitor<R> {
        R leaf(Leaf leaf);

        R allOf(AllOf allOf);

        R anyOf(AnyOf anyOf);

        R constant(Constant constant);
    }

    /** What a leaf asks of a stored value; a record without the field matches when {@link Leaf#missingMatches}. */
    enum Op {
        /** The value (on a list: some element) equals one of the values. */
        ANY_OF,
        /** The value (on a list: every element) equals none of the values. */
        NONE_OF,
        GT(Filter.RangeOp.GT), GTE(Filter.RangeOp.GTE), LT(Filter.RangeOp.LT), LTE(Filter.RangeOp.LTE),
        /** The field is present. */
        PRESENT,
        /** The field is absent: no stored value matches, {@code missingMatches} is true. */
        MISSING,
        /** The value is not a number (a string, a boolean or a list); only on {@link Storage#DOCUMENT} fields. */
        NOT_NUMBER;

        private final Filter.RangeOp range;

        Op() {
            this(null);
        }

        Op(Filter.RangeOp range) {
            this.range = range;
        }

        /** The range operator of a range leaf. */
        static Op of(Filter.RangeOp range) {
            return switch (range) {
                case GT -> GT;
                case GTE -> GTE;
                case LT -> LT;
                case LTE -> LTE;
            };
        }

        /** The source algebra's operator of a range leaf ({@code GT ... LTE}); null for any other. */
        public Filter.RangeOp range() {
            return range;
        }

        /**
         * The range operator that holds for a present number exactly where this one does not ({@code GT} and
         * {@code LTE}), for languages whose negation keeps records without the field.
         */
        public Op complement() {
            if (range == null) {
                throw new IllegalStateException(this + " is not a range");
            }
            return of(range.complement());
        }
    }

    /**
     * One test of one field. {@code values}: for {@link Op#ANY_OF}/{@link Op#NONE_OF} one or more values,
     * for a range one bound, else none; each a value the backend stores exactly (a long on {@link Storage#INT64};
     * on {@link Storage#FLOAT64} a double, or a long within the backend's exact range; on {@link Storage#DOCUMENT} the
     * value as written, of any kind, compared with each record's value by the reference's equality). {@code listForm}: the source
     * wrote a list ({@code $in}/{@code $nin}), which a codec keeps for an exact round trip even of one value.
     */
    record Leaf(String field, Storage storage, Op op, List<ScalarValue> values, boolean listForm,
                boolean missingMatches) implements LoweredFilter {
        public Leaf {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(storage, "storage");
            Objects.requireNonNull(op, "op");
            values = List.copyOf(values);
        }

        /** The one value of a range or a single-valued {@code ANY_OF}/{@code NONE_OF}. */
        public ScalarValue value() {
            return values.get(0);
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.leaf(this);
        }

        @Override
        public boolean test(Metadata metadata) {
            Optional<MetadataValue> stored = metadata.get(field);
            if (stored.isEmpty()) {
                return missingMatches;
            }
            MetadataValue v = stored.get();
            return switch (op) {
                case ANY_OF -> anyEquals(v);
                case NONE_OF -> !anyEquals(v);
                case GT, GTE, LT, LTE -> v instanceof NumberValue n
                        && op.range().holds(n.compareTo((NumberValue) value()));
                case PRESENT -> true;
                case MISSING -> false;
                case NOT_NUMBER -> !(v instanceof NumberValue);
            };
        }

        private boolean anyEquals(MetadataValue stored) {
            for (ScalarValue wanted : values) {
                if (ReferenceEvaluator.valueEquals(stored, wanted)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** Every filter matches; at least two. */
    record AllOf(List<LoweredFilter> filters) implements LoweredFilter {
        public AllOf {
            filters = List.copyOf(filters);
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.allOf(this);
        }

        @Override
        public boolean test(Metadata metadata) {
            return filters.stream().allMatch(f -> f.test(metadata));
        }
    }

    /** At least one filter matches; at least two. */
    record AnyOf(List<LoweredFilter> filters) implements LoweredFilter {
        public AnyOf {
            filters = List.copyOf(filters);
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.anyOf(this);
        }

        @Override
        public boolean test(Metadata metadata) {
            return filters.stream().anyMatch(f -> f.test(metadata));
        }
    }

    /** Every record, or none: what is left where no stored value can decide (e.g. {@code year $eq 2.5}). */
    record Constant(boolean matches) implements LoweredFilter {
        public static final Constant ALL = new Constant(true);
        public static final Constant NONE = new Constant(false);

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.constant(this);
        }

        @Override
        public boolean test(Metadata metadata) {
            return matches;
        }
    }
}

package dev.portafilter.pinecone;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterVisitor;
import dev.portafilter.core.filter.FilterPath;
import dev.portafilter.core.metadata.BooleanValue;
import dev.portafilter.core.metadata.DoubleValue;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.metadata.ScalarValue;
import dev.portafilter.core.metadata.StringValue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * Translates a portable filter into a Pinecone metadata filter with exactly the reference semantics.
 *
 * <p>Pinecone's filter language has {@code $eq $ne $gt $gte $lt $lte $in $nin $exists $and $or} and no {@code $not};
 * its {@code $ne}/{@code $nin} (like every comparison) do not match a record that lacks the field, and on a list of
 * strings {@code $eq}/{@code $in} match when any element does while {@code $ne}/{@code $nin} match when no element
 * does. So:
 * <ul>
 *   <li>{@code $not} is pushed down to the leaves (De Morgan), and a negated comparison becomes its complement:
 *   {@code $not {x $gt 5}} is {@code x $lte 5}, {@code $not $exists} flips the boolean.</li>
 *   <li>{@code $ne}/{@code $nin} and negated comparisons on a field the schema does not declare required get the
 *   alternative {@code {x: {$exists: false}}}, because the reference semantics matches records missing the field.</li>
 *   <li>{@code $in}/{@code $nin} on booleans, which Pinecone does not accept, become {@code $or} of {@code $eq} /
 *   {@code $and} of {@code $ne}.</li>
 *   <li>Pinecone stores numbers as 64-bit floats, so {@code 2 == 2.0} holds there as in the reference; an integer
 *   beyond ±(2^53 - 1) cannot be compared exactly and is refused, as is an {@code $in}/{@code $nin} of more than
 *   10,000 values (Pinecone's limit).</li>
 * </ul>
 * Everything that cannot be expressed fails with {@link UnsupportedFilterException} naming the JSON path of the
 * offending node, before any request is sent.
 */
public final class PineconeFilterTranslator {
    static final String BACKEND = "pinecone";

    private final MetadataSchema schema;

    public PineconeFilterTranslator(MetadataSchema schema) {
        this.schema = Objects.requireNonNull(schema, "schema");
    }

    /** The Pinecone filter; validates against the schema first. */
    public Struct translate(Filter filter) {
        schema.validate(filter);
        return filter.accept(new Translation(FilterPath.ROOT, false));
    }

    /** The Pinecone filter as JSON text, as Pinecone's REST API and documentation write it (for {@code explain}). */
    public String toJson(Filter filter) {
        return StructJson.write(translate(filter));
    }

    /** One node of the tree, with its JSON path and whether an odd number of {@code $not} encloses it. */
    private final class Translation implements FilterVisitor<Struct> {
        private final FilterPath path;
        private final boolean negated;

        Translation(FilterPath path, boolean negated) {
            this.path = path;
            this.negated = negated;
        }

        @Override
        public Struct eq(Filter.Eq eq) {
            FilterPath at = path.operator(eq.field(), "$eq");
            return negated ? notEqual(eq.field(), eq.value(), at) : equal(eq.field(), eq.value(), at);
        }

        @Override
        public Struct ne(Filter.Ne ne) {
            FilterPath at = path.operator(ne.field(), "$ne");
            return negated ? equal(ne.field(), ne.value(), at) : notEqual(ne.field(), ne.value(), at);
        }

        @Override
        public Struct range(Filter.Range range) {
            Value bound = value(range.bound(), path.operator(range.field(), range.op().operator()));
            if (!negated) {
                return compare(range.field(), range.op().operator(), bound);
            }
            // For a stored number, not (x > b) is exactly x <= b; a missing field must match too.
            return orMissing(range.field(), compare(range.field(), complement(range.op()).operator(), bound));
        }

        @Override
        public Struct in(Filter.In in) {
            FilterPath at = path.operator(in.field(), "$in");
            return negated ? notIn(in.field(), in.values(), at) : anyOf(in.field(), in.values(), at);
        }

        @Override
        public Struct nin(Filter.Nin nin) {
            FilterPath at = path.operator(nin.field(), "$nin");
            return negated ? anyOf(nin.field(), nin.values(), at) : notIn(nin.field(), nin.values(), at);
        }

        @Override
        public Struct exists(Filter.Exists exists) {
            return compare(exists.field(), "$exists", Value.newBuilder().setBoolValue(exists.exists() != negated).build());
        }

        @Override
        public Struct and(Filter.And and) {
            List<Struct> parts = children("$and", and.filters());
            return negated ? anyMatch(parts) : allMatch(parts);
        }

        @Override
        public Struct or(Filter.Or or) {
            List<Struct> parts = children("$or", or.filters());
            return negated ? allMatch(parts) : anyMatch(parts);
        }

        @Override
        public Struct not(Filter.Not not) {
            return not.filter().accept(new Translation(path.key("$not"), !negated));
        }

        private List<Struct> children(String op, List<Filter> filters) {
            FilterPath base = path.key(op);
            List<Struct> out = new ArrayList<>(filters.size());
            for (int i = 0; i < filters.size(); i++) {
                out.add(filters.get(i).accept(new Translation(base.index(i), negated)));
            }
            return out;
        }

        private Struct equal(String field, ScalarValue v, FilterPath at) {
            return compare(field, "$eq", value(v, at));
        }

        private Struct notEqual(String field, ScalarValue v, FilterPath at) {
            return orMissing(field, compare(field, "$ne", value(v, at)));
        }

        /** {@code field} equals one of the values (on a list: any element does). */
        private Struct anyOf(String field, List<ScalarValue> values, FilterPath at) {
            if (values.get(0) instanceof BooleanValue) {
                List<Struct> parts = new ArrayList<>();
                for (ScalarValue v : distinct(values)) {
                    parts.add(equal(field, v, at));
                }
                return anyMatch(parts);
            }
            return compare(field, "$in", list(values, at));
        }

        /** {@code field} is missing or equals none of the values (on a list: no element does). */
        private Struct notIn(String field, List<ScalarValue> values, FilterPath at) {
            if (values.get(0) instanceof BooleanValue) {
                List<Struct> parts = new ArrayList<>();
                for (ScalarValue v : distinct(values)) {
                    parts.add(compare(field, "$ne", value(v, at)));
                }
                return orMissing(field, allMatch(parts));
            }
            return orMissing(field, compare(field, "$nin", list(values, at)));
        }

        /** The reference semantics matches a record missing the field here; Pinecone's operator does not. */
        private Struct orMissing(String field, Struct present) {
            boolean required = schema.field(field).map(FieldSpec::required).orElse(false);
            if (required) {
                return present;
            }
            return anyMatch(List.of(present, compare(field, "$exists", Value.newBuilder().setBoolValue(false).build())));
        }

        private Value list(List<ScalarValue> values, FilterPath at) {
            if (values.size() > PineconeLimits.MAX_IN_VALUES) {
                throw new UnsupportedFilterException(BACKEND, at, "Pinecone accepts at most "
                        + PineconeLimits.MAX_IN_VALUES + " values in one $in or $nin, this one has " + values.size());
            }
            ListValue.Builder list = ListValue.newBuilder();
            for (int i = 0; i < values.size(); i++) {
                list.addValues(value(values.get(i), at.index(i)));
            }
            return Value.newBuilder().setListValue(list).build();
        }
    }

    private static Value value(ScalarValue v, FilterPath at) {
        Value.Builder out = Value.newBuilder();
        if (v instanceof StringValue s) {
            return out.setStringValue(s.value()).build();
        }
        if (v instanceof BooleanValue b) {
            return out.setBoolValue(b.value()).build();
        }
        if (v instanceof LongValue l) {
            if (!PineconeLimits.isSafeInteger(l.value())) {
                throw new UnsupportedFilterException(BACKEND, at, "Pinecone compares numbers as 64-bit floats, which "
                        + "cannot hold the integer " + l.value() + " exactly (limit ±" + PineconeLimits.MAX_SAFE_INTEGER
                        + ")");
            }
            return out.setNumberValue(l.value()).build();
        }
        return out.setNumberValue(((DoubleValue) v).value()).build();
    }

    private static Struct compare(String field, String op, Value operand) {
        Struct condition = Struct.newBuilder().putFields(op, operand).build();
        return Struct.newBuilder().putFields(field, Value.newBuilder().setStructValue(condition).build()).build();
    }

    private static Struct allMatch(List<Struct> parts) {
        return combine("$and", parts);
    }

    private static Struct anyMatch(List<Struct> parts) {
        return combine("$or", parts);
    }

    private static Struct combine(String op, List<Struct> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        ListValue.Builder list = ListValue.newBuilder();
        parts.forEach(p -> list.addValues(Value.newBuilder().setStructValue(p)));
        return Struct.newBuilder().putFields(op, Value.newBuilder().setListValue(list).build()).build();
    }

    private static Filter.RangeOp complement(Filter.RangeOp op) {
        return switch (op) {
            case GT -> Filter.RangeOp.LTE;
            case GTE -> Filter.RangeOp.LT;
            case LT -> Filter.RangeOp.GTE;
            case LTE -> Filter.RangeOp.GT;
        };
    }

    private static List<ScalarValue> distinct(List<ScalarValue> values) {
        return List.copyOf(new LinkedHashSet<>(values));
    }
}

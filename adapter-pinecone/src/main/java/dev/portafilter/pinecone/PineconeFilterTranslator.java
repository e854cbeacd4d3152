package dev.portafilter.pinecone;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.portafilter.core.filter.BackendProfile;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterLowering;
import dev.portafilter.core.filter.LoweredFilter;
import dev.portafilter.core.metadata.BooleanValue;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.ScalarValue;
import dev.portafilter.core.metadata.StringValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Prints a filter, lowered by core's {@link FilterLowering}, as a Pinecone metadata filter.
 *
 * <p>Pinecone's filter language has {@code $eq $ne $gt $gte $lt $lte $in $nin $exists $and $or} and no {@code $not};
 * its {@code $ne}/{@code $nin} (like every comparison) do not match a record that lacks the field, and on a list of
 * strings {@code $eq}/{@code $in} match when any element does while {@code $ne}/{@code $nin} match when no element
 * does. So a lowered leaf that also matches records without the field gets the alternative
 * {@code {x: {$exists: false}}}, and {@code $in}/{@code $nin} on booleans, which Pinecone does not accept, become
 * {@code $or} of {@code $eq} / {@code $and} of {@code $ne}. Pinecone stores numbers as 64-bit floats, so
 * {@code 2 == 2.0} holds there as in the reference; its profile refuses integers beyond ±(2^53 − 1) and an
 * {@code $in}/{@code $nin} of more than 10,000 values (Pinecone's limit), naming the filter's JSON path.
 */
public final class PineconeFilterTranslator {
    static final String BACKEND = "pinecone";

    /**
     * Pinecone: numbers are 64-bit floats; at most 10,000 values in one {@code $in} or {@code $nin}; no test of a
     * value's type.
     */
    public static final BackendProfile PROFILE = BackendProfile.builder(BACKEND)
            .integersAsDoubles()
            .maxInValues(10_000)
            .noNumberTypeTest()
            .build();

    private final MetadataSchema schema;

    public PineconeFilterTranslator(MetadataSchema schema) {
        this.schema = Objects.requireNonNull(schema, "schema");
    }

    /** The Pinecone filter; validates against the schema first. */
    public Struct translate(Filter filter) {
        return FilterLowering.lower(filter, schema, PROFILE).accept(new Printer());
    }

    /** The Pinecone filter as JSON text, as Pinecone's REST API and documentation write it (for {@code explain}). */
    public String toJson(Filter filter) {
        return StructJson.write(translate(filter));
    }

    private static final class Printer implements LoweredFilter.Visitor<Struct> {
        @Override
        public Struct leaf(LoweredFilter.Leaf leaf) {
            String field = leaf.field();
            Struct present = switch (leaf.op()) {
                case ANY_OF -> membership(leaf, "$eq", "$in", "$or");
                case NONE_OF -> membership(leaf, "$ne", "$nin", "$and");
                case GT -> compare(field, "$gt", value(leaf.value()));
                case GTE -> compare(field, "$gte", value(leaf.value()));
                case LT -> compare(field, "$lt", value(leaf.value()));
                case LTE -> compare(field, "$lte", value(leaf.value()));
                case PRESENT -> exists(field, true);
                case MISSING -> exists(field, false);
                case NOT_NUMBER -> throw new IllegalStateException("the profile has no number-type test");
            };
            return leaf.missingMatches() && leaf.op() != LoweredFilter.Op.MISSING
                    ? combine("$or", List.of(present, exists(field, false))) : present;
        }

        @Override
        public Struct allOf(LoweredFilter.AllOf allOf) {
            return combine("$and", children(allOf.filters()));
        }

        @Override
        public Struct anyOf(LoweredFilter.AnyOf anyOf) {
            return combine("$or", children(anyOf.filters()));
        }

        @Override
        public Struct constant(LoweredFilter.Constant constant) {
            throw new IllegalStateException("a profile with integersAsDoubles leaves no constant");
        }

        private List<Struct> children(List<LoweredFilter> filters) {
            List<Struct> out = new ArrayList<>(filters.size());
            filters.forEach(f -> out.add(f.accept(this)));
            return out;
        }

        /** One value: {@code single}; several: {@code multi}; booleans: one {@code single} per distinct value, joined by {@code join}. */
        private static Struct membership(LoweredFilter.Leaf leaf, String single, String multi, String join) {
            if (leaf.value() instanceof BooleanValue) {
                List<Struct> parts = new ArrayList<>();
                leaf.values().stream().distinct().forEach(v -> parts.add(compare(leaf.field(), single, value(v))));
                return combine(join, parts);
            }
            if (leaf.values().size() == 1) {
                return compare(leaf.field(), single, value(leaf.value()));
            }
            ListValue.Builder list = ListValue.newBuilder();
            leaf.values().forEach(v -> list.addValues(value(v)));
            return compare(leaf.field(), multi, Value.newBuilder().setListValue(list).build());
        }

        private static Struct exists(String field, boolean present) {
            return compare(field, "$exists", Value.newBuilder().setBoolValue(present).build());
        }
    }

    private static Value value(ScalarValue v) {
        Value.Builder out = Value.newBuilder();
        if (v instanceof StringValue s) {
            return out.setStringValue(s.value()).build();
        }
        if (v instanceof BooleanValue b) {
            return out.setBoolValue(b.value()).build();
        }
        return out.setNumberValue(((NumberValue) v).asDouble()).build();
    }

    private static Struct compare(String field, String op, Value operand) {
        Struct condition = Struct.newBuilder().putFields(op, operand).build();
        return Struct.newBuilder().putFields(field, Value.newBuilder().setStructValue(condition).build()).build();
    }

    private static Struct combine(String op, List<Struct> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        ListValue.Builder list = ListValue.newBuilder();
        parts.forEach(p -> list.addValues(Value.newBuilder().setStructValue(p)));
        return Struct.newBuilder().putFields(op, Value.newBuilder().setListValue(list).build()).build();
    }
}

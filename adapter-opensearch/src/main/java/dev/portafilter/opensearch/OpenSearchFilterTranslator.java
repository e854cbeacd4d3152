package dev.portafilter.opensearch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterVisitor;
import dev.portafilter.core.metadata.BooleanValue;
import dev.portafilter.core.metadata.DoubleValue;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.ScalarValue;
import dev.portafilter.core.metadata.StringValue;
import jakarta.json.stream.JsonGenerator;
import org.opensearch.client.json.JsonData;
import org.opensearch.client.json.JsonpMapper;
import org.opensearch.client.json.JsonpSerializable;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch._types.FieldValue;
import org.opensearch.client.opensearch._types.query_dsl.Query;

import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Translates a portable {@link Filter} into an {@code opensearch-java} {@link Query} with exactly the reference
 * semantics, built from typed query objects only ({@code bool}, {@code term}, {@code terms}, {@code range},
 * {@code exists}), never from JSON text.
 *
 * <p>Why it means the same: every metadata field is a keyword, long, double or boolean field (see
 * {@link OpenSearchIndexLayout}), so {@code term} is exact equality, never a full-text match. Lucene queries
 * select sets of documents, so {@code bool.must_not} is the exact complement: it keeps documents missing the
 * field ($ne, $nin, $not) and, on a list field, keeps exactly those where no element matches. {@code range}
 * and {@code exists} never match a missing field, and {@code exists} matches the empty string. Numbers are
 * compared exactly across long and double here, not by the server's coercion: {@code publicationYear $gt 2022.5}
 * on a long field becomes {@code gte 2023}, {@code $eq 2023.5} becomes {@code match_none}, and a long that no
 * double can hold never equals a double.
 */
public final class OpenSearchFilterTranslator {
    private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
    private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

    private final MetadataSchema schema;
    private final JsonpMapper mapper;

    public OpenSearchFilterTranslator(OpenSearchIndexLayout layout) {
        this(layout, new JacksonJsonpMapper(new ObjectMapper()));
    }

    OpenSearchFilterTranslator(OpenSearchIndexLayout layout, JsonpMapper mapper) {
        this.schema = layout.schema();
        this.mapper = mapper;
    }

    /** The query for a filter; throws {@link dev.portafilter.core.InvalidFilterException} if the schema rejects it. */
    public Query translate(Filter filter) {
        schema.validate(filter);
        return filter.accept(new Translation());
    }

    /** The query for a filter as JSON text, as the client sends it (for {@code explain} and logs). */
    public String toJson(Filter filter) {
        return json(translate(filter), mapper);
    }

    /** Any client object as JSON text, through the client's own serializer. */
    static String json(JsonpSerializable value, JsonpMapper mapper) {
        StringWriter out = new StringWriter();
        try (JsonGenerator generator = mapper.jsonProvider().createGenerator(out)) {
            value.serialize(generator, mapper);
        }
        return out.toString();
    }

    private final class Translation implements FilterVisitor<Query> {
        @Override
        public Query eq(Filter.Eq eq) {
            return anyOf(eq.field(), List.of(eq.value()));
        }

        @Override
        public Query ne(Filter.Ne ne) {
            return not(eq(new Filter.Eq(ne.field(), ne.value())));
        }

        @Override
        public Query in(Filter.In in) {
            return anyOf(in.field(), in.values());
        }

        @Override
        public Query nin(Filter.Nin nin) {
            return not(in(new Filter.In(nin.field(), nin.values())));
        }

        @Override
        public Query range(Filter.Range range) {
            String field = range.field();
            return typeOf(field) == FieldType.LONG ? longRange(field, range.op(), range.bound())
                    : doubleRange(field, range.op(), range.bound());
        }

        @Override
        public Query exists(Filter.Exists exists) {
            Query present = Query.of(q -> q.exists(e -> e.field(exists.field())));
            return exists.exists() ? present : not(present);
        }

        @Override
        public Query and(Filter.And and) {
            List<Query> children = and.filters().stream().map(f -> f.accept(this)).toList();
            return children.size() == 1 ? children.get(0) : Query.of(q -> q.bool(b -> b.filter(children)));
        }

        @Override
        public Query or(Filter.Or or) {
            List<Query> children = or.filters().stream().map(f -> f.accept(this)).toList();
            return children.size() == 1 ? children.get(0)
                    : Query.of(q -> q.bool(b -> b.should(children).minimumShouldMatch("1")));
        }

        @Override
        public Query not(Filter.Not not) {
            return not(not.filter().accept(this));
        }

        private Query not(Query inner) {
            return Query.of(q -> q.bool(b -> b.mustNot(inner)));
        }

        /** {@code term} for one value, {@code terms} for several, {@code match_none} when no stored value can equal any. */
        private Query anyOf(String field, List<ScalarValue> values) {
            FieldType type = typeOf(field);
            Set<Object> distinct = new LinkedHashSet<>();
            for (ScalarValue v : values) {
                storedForm(type, v).ifPresent(distinct::add);
            }
            List<FieldValue> terms = distinct.stream().map(OpenSearchFilterTranslator::fieldValue).toList();
            if (terms.isEmpty()) {
                return matchNone();
            }
            if (terms.size() == 1) {
                return Query.of(q -> q.term(t -> t.field(field).value(terms.get(0))));
            }
            return Query.of(q -> q.terms(t -> t.field(field).terms(tf -> tf.value(terms))));
        }

        private FieldType typeOf(String field) {
            return schema.field(field).orElseThrow().type();
        }
    }

    /** The value as the field stores it (String, Boolean, Long or Double), or empty when none can equal it. */
    private static Optional<Object> storedForm(FieldType type, ScalarValue value) {
        return switch (type) {
            case STRING, STRING_LIST -> Optional.of(((StringValue) value).value());
            case BOOLEAN -> Optional.of(((BooleanValue) value).value());
            case LONG -> exactLong((NumberValue) value).map(Object.class::cast);
            case DOUBLE -> exactDouble((NumberValue) value).map(Object.class::cast);
        };
    }

    private static FieldValue fieldValue(Object stored) {
        if (stored instanceof String s) {
            return FieldValue.of(s);
        }
        if (stored instanceof Boolean b) {
            return FieldValue.of(b);
        }
        return stored instanceof Long l ? FieldValue.of(l) : FieldValue.of((Double) stored);
    }

    /** The long equal to the number, if there is one: 2023.0 is 2023, 2023.5 and 1e19 are none. */
    static Optional<Long> exactLong(NumberValue value) {
        if (value instanceof LongValue l) {
            return Optional.of(l.value());
        }
        BigDecimal exact = new BigDecimal(((DoubleValue) value).value());
        boolean integral = exact.stripTrailingZeros().scale() <= 0;
        return integral && exact.compareTo(LONG_MIN) >= 0 && exact.compareTo(LONG_MAX) <= 0
                ? Optional.of(exact.longValueExact()) : Optional.empty();
    }

    /** The double equal to the number, if there is one: a long above 2^53 that no double holds has none. */
    static Optional<Double> exactDouble(NumberValue value) {
        if (value instanceof DoubleValue d) {
            return Optional.of(d.value());
        }
        long l = ((LongValue) value).value();
        double d = (double) l;
        return new BigDecimal(d).compareTo(BigDecimal.valueOf(l)) == 0 ? Optional.of(d) : Optional.empty();
    }

    /**
     * A range on a long field as inclusive long bounds: {@code > 2022.5} is {@code >= 2023}, {@code < 2022.5}
     * is {@code <= 2022}. A bound beyond the long range matches every value or none.
     */
    private static Query longRange(String field, Filter.RangeOp op, NumberValue bound) {
        BigDecimal b = bound instanceof LongValue l ? BigDecimal.valueOf(l.value())
                : new BigDecimal(((DoubleValue) bound).value());
        boolean lower = op == Filter.RangeOp.GT || op == Filter.RangeOp.GTE;
        BigDecimal inclusive = switch (op) {
            case GT -> b.setScale(0, RoundingMode.FLOOR).add(BigDecimal.ONE);
            case GTE -> b.setScale(0, RoundingMode.CEILING);
            case LT -> b.setScale(0, RoundingMode.CEILING).subtract(BigDecimal.ONE);
            case LTE -> b.setScale(0, RoundingMode.FLOOR);
        };
        if (lower ? inclusive.compareTo(LONG_MAX) > 0 : inclusive.compareTo(LONG_MIN) < 0) {
            return matchNone();
        }
        if (lower ? inclusive.compareTo(LONG_MIN) <= 0 : inclusive.compareTo(LONG_MAX) >= 0) {
            return Query.of(q -> q.exists(e -> e.field(field)));
        }
        JsonData limit = JsonData.of(inclusive.longValueExact());
        return Query.of(q -> q.range(r -> lower ? r.field(field).gte(limit) : r.field(field).lte(limit)));
    }

    /**
     * A range on a double field. A long bound that no double holds exactly becomes the nearest double on the
     * matching side, inclusive: {@code > 2^53 + 1} is {@code >= 2^53 + 2}.
     */
    private static Query doubleRange(String field, Filter.RangeOp op, NumberValue bound) {
        Optional<Double> exact = exactDouble(bound);
        if (exact.isPresent()) {
            JsonData v = JsonData.of(exact.get());
            return Query.of(q -> q.range(r -> switch (op) {
                case GT -> r.field(field).gt(v);
                case GTE -> r.field(field).gte(v);
                case LT -> r.field(field).lt(v);
                case LTE -> r.field(field).lte(v);
            }));
        }
        long l = ((LongValue) bound).value();
        double near = (double) l;
        boolean nearIsAbove = new BigDecimal(near).compareTo(BigDecimal.valueOf(l)) > 0;
        double above = nearIsAbove ? near : Math.nextUp(near);
        double below = nearIsAbove ? Math.nextDown(near) : near;
        boolean lower = op == Filter.RangeOp.GT || op == Filter.RangeOp.GTE;
        JsonData v = JsonData.of(lower ? above : below);
        return Query.of(q -> q.range(r -> lower ? r.field(field).gte(v) : r.field(field).lte(v)));
    }

    private static Query matchNone() {
        return Query.of(q -> q.matchNone(m -> m));
    }
}

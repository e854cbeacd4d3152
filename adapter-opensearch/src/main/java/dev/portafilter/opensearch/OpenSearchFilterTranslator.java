package dev.portafilter.opensearch;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portafilter.core.filter.BackendProfile;
import dev.portafilter.core.filter.BackendProfile.Storage;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterLowering;
import dev.portafilter.core.filter.LoweredFilter;
import dev.portafilter.core.metadata.BooleanValue;
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
import org.opensearch.client.opensearch._types.query_dsl.BoolQuery;
import org.opensearch.client.opensearch._types.query_dsl.ExistsQuery;
import org.opensearch.client.opensearch._types.query_dsl.MatchAllQuery;
import org.opensearch.client.opensearch._types.query_dsl.MatchNoneQuery;
import org.opensearch.client.opensearch._types.query_dsl.Query;
import org.opensearch.client.opensearch._types.query_dsl.RangeQuery;
import org.opensearch.client.opensearch._types.query_dsl.TermQuery;
import org.opensearch.client.opensearch._types.query_dsl.TermsQuery;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints a filter, lowered by core's {@link FilterLowering}, as an {@code opensearch-java} {@link Query} built from
 * typed query objects only ({@code bool}, {@code term}, {@code terms}, {@code range}, {@code exists}), never from
 * JSON text.
 *
 * <p>Why it means the same: every metadata field is a keyword, long, double or boolean field (see
 * {@link OpenSearchIndexLayout}), so {@code term} is exact equality, never a full-text match. Lucene queries select
 * sets of documents, so {@code bool.must_not} is the exact complement: it keeps documents missing the field and, on a
 * list field, exactly those where no element matches. {@code range} and {@code exists} never match a missing field,
 * and {@code exists} matches the empty string. Bounds arrive in the field's type already ({@code $gt 2022.5} on a
 * long field is {@code gt 2022}; {@code $eq 2023.5} there is {@code match_none}).
 */
public final class OpenSearchFilterTranslator {
    static final String BACKEND = "opensearch";

    /**
     * OpenSearch: long and double fields, {@code exists} for presence; a {@code terms} query takes at most
     * {@code index.max_terms_count} values (65,536 by default).
     */
    public static final BackendProfile PROFILE = BackendProfile.builder(BACKEND).maxInValues(65_536).build();

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
        return FilterLowering.lower(filter, schema, PROFILE).accept(new Printer());
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

    /** Builds each query as its variant ({@code TermQuery}, {@code BoolQuery}, ...), without a {@code Query.Builder}. */
    private static final class Printer implements LoweredFilter.Visitor<Query> {
        @Override
        public Query leaf(LoweredFilter.Leaf leaf) {
            String field = leaf.field();
            return switch (leaf.op()) {
                case ANY_OF -> anyOf(leaf);
                // must_not keeps the documents without the field; where none can match, they are excluded
                case NONE_OF -> leaf.missingMatches() ? not(anyOf(leaf))
                        : BoolQuery.of(b -> b.filter(exists(field)).mustNot(anyOf(leaf))).toQuery();
                // "x <= 5 or missing" is exactly must_not(x > 5)
                case GT, GTE, LT, LTE -> leaf.missingMatches() ? not(range(field, leaf.op().complement(), bound(leaf)))
                        : range(field, leaf.op(), bound(leaf));
                case PRESENT -> exists(field);
                case MISSING -> not(exists(field));
                case NOT_NUMBER -> throw undeclared();
            };
        }

        private static Query range(String field, LoweredFilter.Op op, JsonData bound) {
            return RangeQuery.of(r -> switch (op) {
                case GT -> r.field(field).gt(bound);
                case GTE -> r.field(field).gte(bound);
                case LT -> r.field(field).lt(bound);
                case LTE -> r.field(field).lte(bound);
                default -> throw new IllegalStateException(op + " is not a range");
            }).toQuery();
        }

        @Override
        public Query allOf(LoweredFilter.AllOf allOf) {
            List<Query> children = children(allOf.filters());
            return BoolQuery.of(b -> b.filter(children)).toQuery();
        }

        @Override
        public Query anyOf(LoweredFilter.AnyOf anyOf) {
            List<Query> children = children(anyOf.filters());
            return BoolQuery.of(b -> b.should(children).minimumShouldMatch("1")).toQuery();
        }

        @Override
        public Query constant(LoweredFilter.Constant constant) {
            return constant.matches() ? MatchAllQuery.of(m -> m).toQuery() : MatchNoneQuery.of(m -> m).toQuery();
        }

        private List<Query> children(List<LoweredFilter> filters) {
            List<Query> out = new ArrayList<>(filters.size());
            for (LoweredFilter f : filters) {
                out.add(f.accept(this));
            }
            return out;
        }

        private static Query not(Query inner) {
            return BoolQuery.of(b -> b.mustNot(inner)).toQuery();
        }

        private static Query exists(String field) {
            return ExistsQuery.of(e -> e.field(field)).toQuery();
        }

        /** {@code term} for one value, {@code terms} for several. */
        private static Query anyOf(LoweredFilter.Leaf leaf) {
            List<ScalarValue> values = leaf.values();
            if (values.size() == 1) {
                FieldValue term = fieldValue(leaf.storage(), values.get(0));
                return TermQuery.of(t -> t.field(leaf.field()).value(term)).toQuery();
            }
            List<FieldValue> terms = new ArrayList<>(values.size());
            for (ScalarValue v : values) {
                terms.add(fieldValue(leaf.storage(), v));
            }
            return TermsQuery.of(t -> t.field(leaf.field()).terms(tf -> tf.value(terms))).toQuery();
        }

        private static JsonData bound(LoweredFilter.Leaf leaf) {
            NumberValue n = (NumberValue) leaf.value();
            return leaf.storage() == Storage.FLOAT64 ? JsonData.of(n.asDouble()) : JsonData.of(((LongValue) n).value());
        }

        private static FieldValue fieldValue(Storage storage, ScalarValue v) {
            return switch (storage) {
                case STRING, STRING_LIST -> FieldValue.of(((StringValue) v).value());
                case BOOLEAN -> FieldValue.of(((BooleanValue) v).value());
                case INT64 -> FieldValue.of(((LongValue) v).value());
                case FLOAT64 -> FieldValue.of(((NumberValue) v).asDouble());
                case DOCUMENT -> throw undeclared();
            };
        }

        /** Only undeclared fields lower to this, and {@link OpenSearchIndexLayout} refuses schemas that allow them. */
        private static IllegalStateException undeclared() {
            return new IllegalStateException("an undeclared field, which an OpenSearch layout refuses");
        }
    }
}

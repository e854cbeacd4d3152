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
import org.opensearch.client.opensearch._types.query_dsl.ChildScoreMode;
import org.opensearch.client.opensearch._types.query_dsl.ExistsQuery;
import org.opensearch.client.opensearch._types.query_dsl.MatchAllQuery;
import org.opensearch.client.opensearch._types.query_dsl.MatchNoneQuery;
import org.opensearch.client.opensearch._types.query_dsl.NestedQuery;
import org.opensearch.client.opensearch._types.query_dsl.Query;
import org.opensearch.client.opensearch._types.query_dsl.RangeQuery;
import org.opensearch.client.opensearch._types.query_dsl.TermQuery;
import org.opensearch.client.opensearch._types.query_dsl.TermsQuery;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints a filter, lowered by core's {@link FilterLowering}, as an {@code opensearch-java} {@link Query} built from
 * typed query objects only ({@code bool}, {@code term}, {@code terms}, {@code range}, {@code exists},
 * {@code nested}), never from JSON text.
 *
 * <p>Why it means the same: every metadata field is a keyword, long, double or boolean field (see
 * {@link OpenSearchIndexLayout}), so {@code term} is exact equality, never a full-text match. Lucene queries select
 * sets of documents, so {@code bool.must_not} is the exact complement: it keeps documents missing the field and, on a
 * list field, exactly those where no element matches. {@code range} and {@code exists} never match a missing field,
 * and {@code exists} matches the empty string. Bounds arrive in the field's type already ({@code $gt 2022.5} on a
 * long field is {@code gt 2022}; {@code $eq 2023.5} there is {@code match_none}).
 *
 * <p>An undeclared field is the one entry with its name as {@code key} in the layout's nested field, which holds
 * the value by kind: strings and lists of strings in the keyword {@code s}, numbers in the double {@code n}, booleans
 * in {@code b}. A leaf is a {@code nested} query, in filter context, for an entry of that key whose value passes a
 * test ({@code term}/{@code terms} on the subfield of the values' kind, {@code range} on {@code n}) or fails one
 * ({@code $ne}: the {@code terms}; not a number: {@code exists n}). Equality is kind-exact because each kind has its
 * own subfield, a string finds a list that holds it because {@code s} is then that list, and a range never meets a
 * string. Where a record without the field matches, the leaf is {@code must_not} of the nested query for the opposite:
 * a key has at most one entry, so "no entry of the key fails" is exactly "missing, or passes". Numbers compare as
 * doubles, which is exact, since the profile refuses integers beyond ±(2^53 − 1) there.
 */
public final class OpenSearchFilterTranslator {
    static final String BACKEND = "opensearch";

    /**
     * OpenSearch: long and double fields, {@code exists} for presence; a {@code terms} query takes at most
     * {@code index.max_terms_count} values (65,536 by default); undeclared numbers are doubles.
     */
    public static final BackendProfile PROFILE = profile(text -> null);

    private final MetadataSchema schema;
    private final BackendProfile profile;
    private final Printer printer;
    private final JsonpMapper mapper;

    /** The translator for the index the layout creates. */
    public OpenSearchFilterTranslator(OpenSearchIndexLayout layout) {
        this(layout, MappedFields.planned(layout), new JacksonJsonpMapper(new ObjectMapper()));
    }

    /**
     * The translator for an index as its mapping holds the fields; where keyword fields ignore strings longer than
     * {@code ignore_above}, a filter with a longer string is refused: no stored value can be compared with it.
     */
    OpenSearchFilterTranslator(OpenSearchIndexLayout layout, MappedFields fields, JsonpMapper mapper) {
        this.schema = layout.schema();
        int longest = fields.shortestIgnoreAbove();
        this.profile = longest == Integer.MAX_VALUE ? PROFILE : profile(text -> text.length() <= longest ? null
                : "longer than " + longest + " characters, which index " + layout.indexName()
                + " does not keep in its keyword fields (ignore_above)");
        this.printer = new Printer(fields, layout.undeclaredField().orElse(null));
        this.mapper = mapper;
    }

    private static BackendProfile profile(BackendProfile.TextRule textRule) {
        return BackendProfile.builder(BACKEND).maxInValues(65_536).undeclaredNumbersAsDoubles().textRule(textRule)
                .build();
    }

    /** The query for a filter; throws {@link dev.portafilter.core.InvalidFilterException} if the schema rejects it. */
    public Query translate(Filter filter) {
        return FilterLowering.lower(filter, schema, profile).accept(printer);
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
    private record Printer(MappedFields fields, String undeclaredField) implements LoweredFilter.Visitor<Query> {
        @Override
        public Query leaf(LoweredFilter.Leaf leaf) {
            if (leaf.storage() == Storage.DOCUMENT) {
                return undeclared(leaf);
            }
            MappedFields.Field mapped = fields.field(leaf.field());
            String field = mapped.filter();
            return switch (leaf.op()) {
                case ANY_OF -> anyOf(field, leaf);
                // must_not keeps the documents without the field; where none can match, they are excluded
                case NONE_OF -> leaf.missingMatches() ? not(anyOf(field, leaf))
                        : BoolQuery.of(b -> b.filter(present(mapped)).mustNot(anyOf(field, leaf))).toQuery();
                // "x <= 5 or missing" is exactly must_not(x > 5)
                case GT, GTE, LT, LTE -> leaf.missingMatches() ? not(range(field, leaf.op().complement(), bound(leaf)))
                        : range(field, leaf.op(), bound(leaf));
                case PRESENT -> present(mapped);
                case MISSING -> not(present(mapped));
                case NOT_NUMBER -> throw new IllegalStateException("only undeclared fields lower to NOT_NUMBER");
            };
        }

        /** A value in any of the field's forms: a string too long for its keyword form is only in its text. */
        private static Query present(MappedFields.Field mapped) {
            List<String> forms = mapped.presence();
            if (forms.size() == 1) {
                return exists(forms.get(0));
            }
            List<Query> any = new ArrayList<>(forms.size());
            forms.forEach(f -> any.add(exists(f)));
            return BoolQuery.of(b -> b.should(any).minimumShouldMatch("1")).toQuery();
        }

        /** A leaf on an undeclared field: a test of the one entry with the field's name as its key. */
        private Query undeclared(LoweredFilter.Leaf leaf) {
            Query key = term(subfield(OpenSearchIndexLayout.KEY), FieldValue.of(leaf.field()));
            String number = subfield(OpenSearchIndexLayout.NUMBER);
            boolean orMissing = leaf.missingMatches();
            return switch (leaf.op()) {
                // the values' kind picks the subfield: kind-exact, and a string also finds a list that holds it
                case ANY_OF, NONE_OF -> entry(key, anyOf(subfield(OpenSearchIndexLayout.valueSubfield(
                        leaf.value().kind())), leaf), leaf.op() == LoweredFilter.Op.ANY_OF, orMissing);
                case GT, GTE, LT, LTE -> entry(key, range(number, leaf.op(), bound(leaf)), true, orMissing);
                case NOT_NUMBER -> entry(key, exists(number), false, orMissing);
                case PRESENT -> nested(key);
                case MISSING -> not(nested(key));
            };
        }

        /**
         * The records whose entry of this key passes the test ({@code passes}) or fails it; with {@code orMissing},
         * those and the records without the key: exactly those with no entry that does the opposite, since a key
         * has at most one entry.
         */
        private Query entry(Query key, Query test, boolean passes, boolean orMissing) {
            boolean sought = passes != orMissing;
            Query inner = BoolQuery.of(b -> sought ? b.filter(key, test) : b.filter(key).mustNot(test)).toQuery();
            return orMissing ? not(nested(inner)) : nested(inner);
        }

        /** In filter context: the entries only select their document, and no score is kept. */
        private Query nested(Query inner) {
            return NestedQuery.of(n -> n.path(undeclaredField).query(inner).scoreMode(ChildScoreMode.None)).toQuery();
        }

        private String subfield(String name) {
            return undeclaredField + "." + name;
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

        private static Query term(String field, FieldValue value) {
            return TermQuery.of(t -> t.field(field).value(value)).toQuery();
        }

        /** {@code term} for one value, {@code terms} for several. */
        private static Query anyOf(String field, LoweredFilter.Leaf leaf) {
            List<ScalarValue> values = leaf.values();
            if (values.size() == 1) {
                return term(field, fieldValue(leaf.storage(), values.get(0)));
            }
            List<FieldValue> terms = new ArrayList<>(values.size());
            for (ScalarValue v : values) {
                terms.add(fieldValue(leaf.storage(), v));
            }
            return TermsQuery.of(t -> t.field(field).terms(tf -> tf.value(terms))).toQuery();
        }

        private static JsonData bound(LoweredFilter.Leaf leaf) {
            NumberValue n = (NumberValue) leaf.value();
            return leaf.storage() == Storage.INT64 ? JsonData.of(((LongValue) n).value()) : JsonData.of(n.asDouble());
        }

        private static FieldValue fieldValue(Storage storage, ScalarValue v) {
            return switch (storage) {
                case STRING, STRING_LIST -> FieldValue.of(((StringValue) v).value());
                case BOOLEAN -> FieldValue.of(((BooleanValue) v).value());
                case INT64 -> FieldValue.of(((LongValue) v).value());
                case FLOAT64 -> FieldValue.of(((NumberValue) v).asDouble());
                // the value's own kind: a number is compared with the double subfield
                case DOCUMENT -> v instanceof StringValue s ? FieldValue.of(s.value())
                        : v instanceof BooleanValue b ? FieldValue.of(b.value())
                        : FieldValue.of(((NumberValue) v).asDouble());
            };
        }
    }
}

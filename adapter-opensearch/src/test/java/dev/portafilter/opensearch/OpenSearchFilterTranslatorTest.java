package dev.portafilter.opensearch;

import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.MetadataSchema;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The exact query each operator becomes, serialized by the client's own JSON mapper. No server: what the
 * queries mean on a real node is proven by the contract tests; here is what they are.
 */
class OpenSearchFilterTranslatorTest {
    private final OpenSearchFilterTranslator translator = new OpenSearchFilterTranslator(
            OpenSearchIndexLayout.builder("translator-test", ScenarioDataset.SCHEMA, 4).build());
    private static final OpenSearchFilterTranslator UNDECLARED = new OpenSearchFilterTranslator(
            OpenSearchIndexLayout.builder("translator-test", MetadataSchema.builder()
                    .required("customer", FieldType.STRING).allowUndeclared().build(), 4).undeclaredField("u").build());

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", textBlock = """
            # equality: term on keyword, long, double and boolean fields
            {"customer":"CustomerA"} => {"term":{"customer":{"value":"CustomerA"}}}
            {"customer":{"$eq":"customera"}} => {"term":{"customer":{"value":"customera"}}}
            {"region":""} => {"term":{"region":{"value":""}}}
            {"patientIds":"P001"} => {"term":{"patientIds":{"value":"P001"}}}
            {"reviewed":false} => {"term":{"reviewed":{"value":false}}}
            {"publicationYear":2023} => {"term":{"publicationYear":{"value":2023}}}
            {"confidence":0.75} => {"term":{"confidence":{"value":0.75}}}
            # numbers compared exactly across long and double
            {"publicationYear":2023.0} => {"term":{"publicationYear":{"value":2023}}}
            {"publicationYear":2023.5} => {"match_none":{}}
            {"publicationYear":1.0E19} => {"match_none":{}}
            {"confidence":1} => {"term":{"confidence":{"value":1.0}}}
            {"confidence":9007199254740993} => {"match_none":{}}
            # $in: terms, values converted, impossible values dropped
            {"region":{"$in":["US","UK"]}} => {"terms":{"region":["US","UK"]}}
            {"publicationYear":{"$in":[2021,2024.0,2021.0]}} => {"terms":{"publicationYear":[2021,2024,2021]}}
            {"publicationYear":{"$in":[2022.5,2023]}} => {"term":{"publicationYear":{"value":2023}}}
            {"publicationYear":{"$in":[2022.5]}} => {"match_none":{}}
            {"tags":{"$in":["oncology","privacy"]}} => {"terms":{"tags":["oncology","privacy"]}}
            # ranges on a long field: a fractional bound becomes the equivalent long bound
            {"publicationYear":{"$gt":2022}} => {"range":{"publicationYear":{"gt":2022}}}
            {"publicationYear":{"$gte":2022}} => {"range":{"publicationYear":{"gte":2022}}}
            {"publicationYear":{"$lt":2022}} => {"range":{"publicationYear":{"lt":2022}}}
            {"publicationYear":{"$lte":2022}} => {"range":{"publicationYear":{"lte":2022}}}
            {"publicationYear":{"$gt":2022.5}} => {"range":{"publicationYear":{"gt":2022}}}
            {"publicationYear":{"$gte":2022.5}} => {"range":{"publicationYear":{"gte":2023}}}
            {"publicationYear":{"$lt":2022.5}} => {"range":{"publicationYear":{"lt":2023}}}
            {"publicationYear":{"$lte":2021.0}} => {"range":{"publicationYear":{"lte":2021}}}
            {"publicationYear":{"$gt":-0.5}} => {"range":{"publicationYear":{"gt":-1}}}
            {"publicationYear":{"$lt":-0.5}} => {"range":{"publicationYear":{"lt":0}}}
            {"publicationYear":{"$gt":9223372036854775807}} => {"range":{"publicationYear":{"gt":9223372036854775807}}}
            {"publicationYear":{"$gt":1.0E19}} => {"match_none":{}}
            {"publicationYear":{"$lt":1.0E19}} => {"exists":{"field":"publicationYear"}}
            {"publicationYear":{"$gte":-1.0E19}} => {"exists":{"field":"publicationYear"}}
            # ranges on a double field: a long bound no double holds becomes the nearest double on its side
            {"confidence":{"$gte":0.88}} => {"range":{"confidence":{"gte":0.88}}}
            {"confidence":{"$gt":1}} => {"range":{"confidence":{"gt":1.0}}}
            {"confidence":{"$lt":0}} => {"range":{"confidence":{"lt":0.0}}}
            {"confidence":{"$gt":9007199254740993}} => {"range":{"confidence":{"gte":9.007199254740994E15}}}
            {"confidence":{"$lte":9007199254740993}} => {"range":{"confidence":{"lte":9.007199254740992E15}}}
            # exists
            {"region":{"$exists":true}} => {"exists":{"field":"region"}}
            # composition
            {"customer":"CustomerA","documentType":"note"} => {"bool":{"filter":[{"term":{"customer":{"value":"CustomerA"}}},{"term":{"documentType":{"value":"note"}}}]}}
            {"$or":[{"focus":"HIPAA"},{"reviewed":true}]} => {"bool":{"minimum_should_match":"1","should":[{"term":{"focus":{"value":"HIPAA"}}},{"term":{"reviewed":{"value":true}}}]}}
            {"$and":[{"focus":"HIPAA"}]} => {"term":{"focus":{"value":"HIPAA"}}}
            {"$or":[{"focus":"HIPAA"}]} => {"term":{"focus":{"value":"HIPAA"}}}
            """)
    void operators(String filter, String query) {
        assertThat(translator.toJson(FilterJson.parse(filter))).isEqualTo(query);
    }

    /**
     * Negations are pushed to the leaves; a negated leaf is bool.must_not, which keeps documents missing the field and
     * lists with no matching element (a required field, never missing, also needs exists).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", textBlock = """
            {"region":{"$ne":"US"}} => {"bool":{"must_not":[{"term":{"region":{"value":"US"}}}]}}
            {"patientIds":{"$ne":"P001"}} => {"bool":{"must_not":[{"term":{"patientIds":{"value":"P001"}}}]}}
            {"reviewed":{"$ne":true}} => {"bool":{"must_not":[{"term":{"reviewed":{"value":true}}}]}}
            {"publicationYear":{"$ne":2023.5}} => {"match_all":{}}
            {"region":{"$nin":["US","UK"]}} => {"bool":{"must_not":[{"terms":{"region":["US","UK"]}}]}}
            {"patientIds":{"$nin":["P001","P004"]}} => {"bool":{"must_not":[{"terms":{"patientIds":["P001","P004"]}}]}}
            {"region":{"$exists":false}} => {"bool":{"must_not":[{"exists":{"field":"region"}}]}}
            {"$not":{"publicationYear":{"$gt":2022}}} => {"bool":{"must_not":[{"range":{"publicationYear":{"gt":2022}}}]}}
            {"publicationYear":{"$not":{"$gte":2023}}} => {"bool":{"must_not":[{"range":{"publicationYear":{"gte":2023}}}]}}
            {"$not":{"$not":{"customer":"CustomerB"}}} => {"term":{"customer":{"value":"CustomerB"}}}
            {"customer":{"$ne":"CustomerB"}} => {"bool":{"filter":[{"exists":{"field":"customer"}}],"must_not":[{"term":{"customer":{"value":"CustomerB"}}}]}}
            {"$not":{"$or":[{"focus":"genomics"},{"confidence":{"$gte":0.9}}]}} => {"bool":{"filter":[{"bool":{"must_not":[{"term":{"focus":{"value":"genomics"}}}]}},{"bool":{"must_not":[{"range":{"confidence":{"gte":0.9}}}]}}]}}
            """)
    void negationsAndMissingFields(String filter, String query) {
        assertThat(translator.toJson(FilterJson.parse(filter))).isEqualTo(query);
    }

    /**
     * An undeclared field is a nested query on the entry with its name as key, the value on its kind's subfield (in
     * filter context, no scores); where a record without the field matches, must_not of the entries that fail.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", textBlock = """
            {"mixed":"v"} => {"nested":{"path":"u","query":{"bool":{"filter":[{"term":{"u.key":{"value":"mixed"}}},{"term":{"u.s":{"value":"v"}}}]}},"score_mode":"none"}}
            {"mixed":{"$in":["a","b"]}} => {"nested":{"path":"u","query":{"bool":{"filter":[{"term":{"u.key":{"value":"mixed"}}},{"terms":{"u.s":["a","b"]}}]}},"score_mode":"none"}}
            {"mixed":2} => {"nested":{"path":"u","query":{"bool":{"filter":[{"term":{"u.key":{"value":"mixed"}}},{"term":{"u.n":{"value":2.0}}}]}},"score_mode":"none"}}
            {"mixed":{"$in":[2,2.5]}} => {"nested":{"path":"u","query":{"bool":{"filter":[{"term":{"u.key":{"value":"mixed"}}},{"terms":{"u.n":[2.0,2.5]}}]}},"score_mode":"none"}}
            {"mixed":9007199254740991} => {"nested":{"path":"u","query":{"bool":{"filter":[{"term":{"u.key":{"value":"mixed"}}},{"term":{"u.n":{"value":9.007199254740991E15}}}]}},"score_mode":"none"}}
            {"mixed":true} => {"nested":{"path":"u","query":{"bool":{"filter":[{"term":{"u.key":{"value":"mixed"}}},{"term":{"u.b":{"value":true}}}]}},"score_mode":"none"}}
            {"config.setting":"x"} => {"nested":{"path":"u","query":{"bool":{"filter":[{"term":{"u.key":{"value":"config.setting"}}},{"term":{"u.s":{"value":"x"}}}]}},"score_mode":"none"}}
            {"mixed":{"$ne":"v"}} => {"bool":{"must_not":[{"nested":{"path":"u","query":{"bool":{"filter":[{"term":{"u.key":{"value":"mixed"}}},{"term":{"u.s":{"value":"v"}}}]}},"score_mode":"none"}}]}}
            {"mixed":{"$nin":[false]}} => {"bool":{"must_not":[{"nested":{"path":"u","query":{"bool":{"filter":[{"term":{"u.key":{"value":"mixed"}}},{"term":{"u.b":{"value":false}}}]}},"score_mode":"none"}}]}}
            {"mixed":{"$gt":1}} => {"nested":{"path":"u","query":{"bool":{"filter":[{"term":{"u.key":{"value":"mixed"}}},{"range":{"u.n":{"gt":1.0}}}]}},"score_mode":"none"}}
            {"mixed":{"$lte":2.5}} => {"nested":{"path":"u","query":{"bool":{"filter":[{"term":{"u.key":{"value":"mixed"}}},{"range":{"u.n":{"lte":2.5}}}]}},"score_mode":"none"}}
            {"$not":{"mixed":{"$gt":1}}} => {"bool":{"minimum_should_match":"1","should":[{"bool":{"must_not":[{"nested":{"path":"u","query":{"bool":{"filter":[{"term":{"u.key":{"value":"mixed"}}}],"must_not":[{"range":{"u.n":{"lte":1.0}}}]}},"score_mode":"none"}}]}},{"nested":{"path":"u","query":{"bool":{"filter":[{"term":{"u.key":{"value":"mixed"}}}],"must_not":[{"exists":{"field":"u.n"}}]}},"score_mode":"none"}}]}}
            {"mixed":{"$exists":true}} => {"nested":{"path":"u","query":{"term":{"u.key":{"value":"mixed"}}},"score_mode":"none"}}
            {"mixed":{"$exists":false}} => {"bool":{"must_not":[{"nested":{"path":"u","query":{"term":{"u.key":{"value":"mixed"}}},"score_mode":"none"}}]}}
            {"customer":"A","tag":"x"} => {"bool":{"filter":[{"term":{"customer":{"value":"A"}}},{"nested":{"path":"u","query":{"bool":{"filter":[{"term":{"u.key":{"value":"tag"}}},{"term":{"u.s":{"value":"x"}}}]}},"score_mode":"none"}}]}}
            """)
    void undeclaredFieldsAreNestedQueriesOnTheirEntry(String filter, String query) {
        assertThat(UNDECLARED.toJson(FilterJson.parse(filter))).isEqualTo(query);
    }

    /** Undeclared numbers are doubles on OpenSearch: a filter integer beyond ±(2^53 − 1) there is refused. */
    @Test
    void undeclaredIntegersBeyondDoublePrecisionAreRefused() {
        assertThatThrownBy(() -> UNDECLARED.translate(Filters.eq("mixed", 9007199254740992L)))
                .isInstanceOf(UnsupportedFilterException.class).hasMessageContaining("$.mixed.$eq");
        assertThatThrownBy(() -> UNDECLARED.translate(Filters.gt("mixed", -9007199254740992L)))
                .isInstanceOf(UnsupportedFilterException.class).hasMessageContaining("9007199254740991");
    }

    @Test
    void hostileValuesStayValuesInsideTypedQueries() {
        assertThat(translator.toJson(Filters.eq("region", "\"}},{\"match_all\":{}}]}}")))
                .isEqualTo("{\"term\":{\"region\":{\"value\":\"\\\"}},{\\\"match_all\\\":{}}]}}\"}}}");
        assertThat(translator.toJson(Filters.in("focus", "*", "%", ".*")))
                .isEqualTo("{\"terms\":{\"focus\":[\"*\",\"%\",\".*\"]}}");
    }

    @Test
    void invalidFiltersAreRejectedBeforeTranslation() {
        assertThatThrownBy(() -> translator.translate(Filters.eq("colour", "red")))
                .isInstanceOf(InvalidFilterException.class).hasMessageContaining("colour");
        assertThatThrownBy(() -> translator.translate(Filters.gt("region", 3)))
                .isInstanceOf(InvalidFilterException.class).hasMessageContaining("region");
        assertThatThrownBy(() -> translator.translate(Filters.eq("publicationYear", "2023")))
                .isInstanceOf(InvalidFilterException.class).hasMessageContaining("publicationYear");
    }
}

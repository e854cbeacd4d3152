package dev.portafilter.pinecone;

import com.google.protobuf.Struct;
import dev.portafilter.conformance.RandomScenario;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.conformance.SemanticsCase;
import dev.portafilter.conformance.SemanticsCases;
import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.filter.ReferenceEvaluator;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.localservers.pinecone.PineconeFilterSemantics;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The exact Pinecone filter for each operator and each negation case, the typed errors, and a property check of
 * the translation against Pinecone's documented semantics ({@link PineconeFilterSemantics}, written independently of
 * the reference evaluator).
 */
class PineconeFilterTranslatorTest {
    private static final PineconeFilterTranslator TRANSLATOR = new PineconeFilterTranslator(ScenarioDataset.SCHEMA);
    private static final RecordCodec CODEC = new RecordCodec(ScenarioDataset.SCHEMA, PineconeStore.DEFAULT_TEXT_KEY);
    private static final List<VectorRecord> RECORDS = RandomScenario.records(7L, 120);

    // customer and documentType are required in the scenario schema; every other field is optional.
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            eq                          | {"region":{"$eq":"US"}}                          | {"region":{"$eq":"US"}}
            eq shorthand, empty string  | {"region":""}                                   | {"region":{"$eq":""}}
            eq boolean                  | {"reviewed":true}                               | {"reviewed":{"$eq":true}}
            eq on a list: any element   | {"patientIds":"P001"}                           | {"patientIds":{"$eq":"P001"}}
            eq integer on double field  | {"confidence":1}                                | {"confidence":{"$eq":1}}
            eq double on long field     | {"publicationYear":2023.0}                      | {"publicationYear":{"$eq":2023}}
            ne on a required field      | {"customer":{"$ne":"CustomerA"}}                | {"customer":{"$ne":"CustomerA"}}
            ne keeps missing            | {"region":{"$ne":"US"}}                         | {"$or":[{"region":{"$ne":"US"}},{"region":{"$exists":false}}]}
            ne boolean keeps missing    | {"reviewed":{"$ne":true}}                       | {"$or":[{"reviewed":{"$ne":true}},{"reviewed":{"$exists":false}}]}
            ne on a list: no element    | {"patientIds":{"$ne":"P001"}}                   | {"$or":[{"patientIds":{"$ne":"P001"}},{"patientIds":{"$exists":false}}]}
            gt                          | {"publicationYear":{"$gt":2022}}                | {"publicationYear":{"$gt":2022}}
            gte double bound            | {"confidence":{"$gte":0.88}}                    | {"confidence":{"$gte":0.88}}
            lt                          | {"publicationYear":{"$lt":2022}}                | {"publicationYear":{"$lt":2022}}
            lte                         | {"publicationYear":{"$lte":2021}}               | {"publicationYear":{"$lte":2021}}
            two ranges on one field     | {"confidence":{"$gt":0.5,"$lte":0.75}}          | {"$and":[{"confidence":{"$gt":0.5}},{"confidence":{"$lte":0.75}}]}
            in strings                  | {"region":{"$in":["US","UK"]}}                  | {"region":{"$in":["US","UK"]}}
            in mixed numbers            | {"publicationYear":{"$in":[2021,2024.5]}}       | {"publicationYear":{"$in":[2021,2024.5]}}
            in booleans becomes or      | {"reviewed":{"$in":[true,false]}}               | {"$or":[{"reviewed":{"$eq":true}},{"reviewed":{"$eq":false}}]}
            in one boolean              | {"reviewed":{"$in":[false,false]}}              | {"reviewed":{"$eq":false}}
            nin keeps missing           | {"region":{"$nin":["US","UK"]}}                 | {"$or":[{"region":{"$nin":["US","UK"]}},{"region":{"$exists":false}}]}
            nin on a required field     | {"documentType":{"$nin":["note"]}}              | {"documentType":{"$ne":"note"}}
            nin booleans                | {"reviewed":{"$nin":[true]}}                    | {"$or":[{"reviewed":{"$ne":true}},{"reviewed":{"$exists":false}}]}
            exists                      | {"tags":{"$exists":true}}                       | {"tags":{"$exists":true}}
            exists false                | {"tags":{"$exists":false}}                      | {"tags":{"$exists":false}}
            and                         | {"$and":[{"customer":"CustomerA"},{"region":"US"}]} | {"$and":[{"customer":{"$eq":"CustomerA"}},{"region":{"$eq":"US"}}]}
            or                          | {"$or":[{"focus":"HIPAA"},{"tags":"BRCA1"}]}    | {"$or":[{"focus":{"$eq":"HIPAA"}},{"tags":{"$eq":"BRCA1"}}]}
            not eq is ne                | {"$not":{"region":"US"}}                        | {"$or":[{"region":{"$ne":"US"}},{"region":{"$exists":false}}]}
            not ne is eq                | {"$not":{"region":{"$ne":"US"}}}                | {"region":{"$eq":"US"}}
            not eq on a required field  | {"$not":{"customer":"CustomerA"}}               | {"customer":{"$ne":"CustomerA"}}
            not gt keeps missing        | {"$not":{"publicationYear":{"$gt":5}}}          | {"$or":[{"publicationYear":{"$lte":5}},{"publicationYear":{"$exists":false}}]}
            not gte                     | {"$not":{"publicationYear":{"$gte":5}}}         | {"$or":[{"publicationYear":{"$lt":5}},{"publicationYear":{"$exists":false}}]}
            not lt                      | {"$not":{"confidence":{"$lt":0.5}}}             | {"$or":[{"confidence":{"$gte":0.5}},{"confidence":{"$exists":false}}]}
            not lte                     | {"$not":{"confidence":{"$lte":0.5}}}            | {"$or":[{"confidence":{"$gt":0.5}},{"confidence":{"$exists":false}}]}
            not inside a field          | {"publicationYear":{"$not":{"$gte":2023}}}      | {"$or":[{"publicationYear":{"$lt":2023}},{"publicationYear":{"$exists":false}}]}
            not in is nin               | {"$not":{"region":{"$in":["US"]}}}              | {"$or":[{"region":{"$ne":"US"}},{"region":{"$exists":false}}]}
            not nin is in               | {"$not":{"region":{"$nin":["US"]}}}             | {"region":{"$eq":"US"}}
            not in booleans             | {"$not":{"reviewed":{"$in":[true,false]}}}      | {"$or":[{"$and":[{"reviewed":{"$ne":true}},{"reviewed":{"$ne":false}}]},{"reviewed":{"$exists":false}}]}
            not exists                  | {"$not":{"tags":{"$exists":true}}}              | {"tags":{"$exists":false}}
            not exists false            | {"$not":{"tags":{"$exists":false}}}             | {"tags":{"$exists":true}}
            double negation             | {"$not":{"$not":{"region":"US"}}}               | {"region":{"$eq":"US"}}
            De Morgan: not and          | {"$not":{"$and":[{"customer":"CustomerA"},{"region":"US"}]}} | {"$or":[{"customer":{"$ne":"CustomerA"}},{"$or":[{"region":{"$ne":"US"}},{"region":{"$exists":false}}]}]}
            De Morgan: not or           | {"$not":{"$or":[{"focus":"genomics"},{"confidence":{"$gte":0.9}}]}} | {"$and":[{"$or":[{"focus":{"$ne":"genomics"}},{"focus":{"$exists":false}}]},{"$or":[{"confidence":{"$lt":0.9}},{"confidence":{"$exists":false}}]}]}
            not of a single-element or  | {"$not":{"$or":[{"region":"US"}]}}              | {"$or":[{"region":{"$ne":"US"}},{"region":{"$exists":false}}]}
            """)
    void translatesToExactlyThisPineconeFilter(String name, String portable, String pinecone) {
        assertThat(TRANSLATOR.toJson(FilterJson.parse(portable))).isEqualTo(pinecone);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            eq beyond 2^53                | {"publicationYear":9007199254740993}                 | $.publicationYear.$eq
            range beyond -2^53            | {"publicationYear":{"$gt":-9007199254740992}}        | $.publicationYear.$gt
            in element beyond 2^53        | {"publicationYear":{"$in":[2021,9007199254740992]}}  | $.publicationYear.$in[1]
            negated range beyond 2^53     | {"$not":{"confidence":{"$lte":9007199254740993}}}    | $.$not.confidence.$lte
            nested in and                 | {"$and":[{"region":"US"},{"publicationYear":{"$ne":9223372036854775807}}]} | $.$and[1].publicationYear.$ne
            """)
    void refusesIntegersThatA64BitFloatCannotHold(String name, String portable, String path) {
        assertThatThrownBy(() -> TRANSLATOR.translate(FilterJson.parse(portable)))
                .isInstanceOf(UnsupportedFilterException.class)
                .hasMessageContaining("64-bit float")
                .satisfies(e -> assertThat(((UnsupportedFilterException) e).path()).isEqualTo(path))
                .satisfies(e -> assertThat(((UnsupportedFilterException) e).backend()).isEqualTo("pinecone"));
    }

    @org.junit.jupiter.api.Test
    void acceptsTheLargestSafeInteger() {
        String json = TRANSLATOR.toJson(FilterJson.parse("{\"publicationYear\":{\"$lte\":9007199254740991}}"));
        assertThat(json).isEqualTo("{\"publicationYear\":{\"$lte\":9007199254740991}}");
    }

    @org.junit.jupiter.api.Test
    void refusesMoreThan10000InValues() {
        // built in Java: the JSON parser has its own, equal, limit
        List<String> values = IntStream.rangeClosed(0, 10_000).mapToObj(i -> "v" + i).toList();
        for (Filter f : List.of(Filters.in("documentType", values), Filters.not(Filters.nin("documentType", values)))) {
            assertThatThrownBy(() -> TRANSLATOR.translate(f)).isInstanceOf(UnsupportedFilterException.class)
                    .hasMessageContaining("10000 values").hasMessageContaining("10001");
        }
        String exactly = IntStream.range(0, 10_000).mapToObj(i -> "\"v" + i + "\"").collect(Collectors.joining(","));
        assertThat(TRANSLATOR.translate(FilterJson.parse("{\"documentType\":{\"$in\":[" + exactly + "]}}"))
                .getFieldsOrThrow("documentType").getStructValue().getFieldsOrThrow("$in").getListValue()
                .getValuesCount()).isEqualTo(10_000);
    }

    @org.junit.jupiter.api.Test
    void validatesAgainstTheSchemaFirst() {
        assertThatThrownBy(() -> TRANSLATOR.translate(FilterJson.parse("{\"colour\":\"red\"}")))
                .isInstanceOf(InvalidFilterException.class).isNotInstanceOf(UnsupportedFilterException.class)
                .hasMessageContaining("colour");
    }

    @org.junit.jupiter.api.Test
    void numbersAreSentAsFloat64() {
        Struct s = TRANSLATOR.translate(FilterJson.parse("{\"publicationYear\":2023}"));
        assertThat(s.getFieldsOrThrow("publicationYear").getStructValue().getFieldsOrThrow("$eq").getNumberValue())
                .isEqualTo(2023.0);
    }

    static List<SemanticsCase> semanticsCases() {
        return SemanticsCases.all();
    }

    /** Every row of the semantics table, translated and evaluated by Pinecone's documented rules, gives its ids. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("semanticsCases")
    void theSemanticsTableHoldsUnderPineconeRules(SemanticsCase c) {
        Struct filter = TRANSLATOR.translate(c.filter());
        assertThat(StructJson.write(filter)).doesNotContain("$not");
        List<String> matched = ScenarioDataset.records().stream()
                .filter(r -> PineconeFilterSemantics.matches(filter, CODEC.encode(r)))
                .map(VectorRecord::id).toList();
        assertThat(matched).as(StructJson.write(filter)).containsExactlyInAnyOrderElementsOf(c.expectedIds());
    }

    @Provide
    Arbitrary<Filter> filters() {
        return RandomScenario.filters(4);
    }

    /** For random filters, Pinecone's rules applied to the translation agree with the reference on every record. */
    @Property(tries = 500)
    void agreesWithTheReferenceUnderPineconeRules(@ForAll("filters") Filter filter) {
        Struct translated;
        try {
            translated = TRANSLATOR.translate(filter);
        } catch (UnsupportedFilterException refused) {
            return;
        }
        for (VectorRecord r : RECORDS) {
            assertThat(PineconeFilterSemantics.matches(translated, CODEC.encode(r)))
                    .as(r.id() + " " + r.metadata() + "\n" + FilterJson.write(filter) + "\n" + StructJson.write(translated))
                    .isEqualTo(ReferenceEvaluator.matches(filter, r.metadata()));
        }
    }
}

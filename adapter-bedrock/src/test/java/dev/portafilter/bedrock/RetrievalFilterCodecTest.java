package dev.portafilter.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.conformance.SemanticsCase;
import dev.portafilter.conformance.SemanticsCases;
import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.metadata.DoubleValue;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.localservers.bedrock.BedrockSemantics;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.core.SdkNumber;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.services.bedrockagentruntime.model.FilterAttribute;
import software.amazon.awssdk.services.bedrockagentruntime.model.RetrievalFilter;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.portafilter.core.filter.Filters.and;
import static dev.portafilter.core.filter.Filters.eq;
import static dev.portafilter.core.filter.Filters.exists;
import static dev.portafilter.core.filter.Filters.gt;
import static dev.portafilter.core.filter.Filters.gte;
import static dev.portafilter.core.filter.Filters.in;
import static dev.portafilter.core.filter.Filters.lt;
import static dev.portafilter.core.filter.Filters.lte;
import static dev.portafilter.core.filter.Filters.missing;
import static dev.portafilter.core.filter.Filters.ne;
import static dev.portafilter.core.filter.Filters.nin;
import static dev.portafilter.core.filter.Filters.not;
import static dev.portafilter.core.filter.Filters.or;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetrievalFilterCodecTest {
    private static final MetadataSchema SCHEMA = ScenarioDataset.SCHEMA;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The semantics cases Bedrock cannot express; docs/bedrock.md explains each kind. */
    static final Set<SemanticsCase.Id> INEXPRESSIBLE = EnumSet.of(
            SemanticsCase.Id.EXISTS_TRUE, SemanticsCase.Id.EXISTS_FALSE, SemanticsCase.Id.EXISTS_ON_REQUIRED_FIELD,
            SemanticsCase.Id.EXISTS_FALSE_ON_LIST_FIELD, SemanticsCase.Id.LIST_NE_NO_ELEMENT,
            SemanticsCase.Id.LIST_NIN_NO_ELEMENT, SemanticsCase.Id.LIST_NE_VALUE_NOBODY_HAS,
            SemanticsCase.Id.NOT_RANGE_KEEPS_MISSING, SemanticsCase.Id.NOT_INSIDE_A_FIELD, SemanticsCase.Id.NOT_EXISTS,
            SemanticsCase.Id.NOT_LIST_EQ, SemanticsCase.Id.DE_MORGAN_NOT_OR, SemanticsCase.Id.DE_MORGAN_AND_OF_NEGATIONS,
            SemanticsCase.Id.AND_OF_OR_WITH_MISSING_AND_EMPTY);

    private static Filter read(String json) {
        return RetrievalFilterCodec.fromJson(json, SCHEMA);
    }

    private static JsonNode write(Filter f) {
        return RetrievalFilterCodec.toJsonNode(f, SCHEMA);
    }

    /**
     * Bedrock compares numbers as doubles: ±(2^53 − 1) is exact and passes both ways; ±2^53 (which 2^53 + 1 rounds
     * to), ±(2^53 + 1) and the ends of the long range are refused both ways, naming the path.
     */
    @TestFactory
    Stream<DynamicTest> integersBeyondDoublePrecisionAreRefusedBothWays() {
        long safe = (1L << 53) - 1;
        return Stream.of(safe, -safe, safe + 1, -(safe + 1), safe + 2, -(safe + 2), Long.MIN_VALUE, Long.MAX_VALUE)
                .map(v -> DynamicTest.dynamicTest(Long.toString(v), () -> {
                    String json = "{\"greaterThan\":{\"key\":\"publicationYear\",\"value\":" + v + "}}";
                    if (Math.abs((double) v) <= safe) {
                        assertThat(read(json)).isEqualTo(gt("publicationYear", v));
                        assertThat(write(gt("publicationYear", v)).toString()).isEqualTo(json);
                    } else {
                        assertThatThrownBy(() -> read(json)).isInstanceOf(UnsupportedFilterException.class)
                                .hasMessageContaining("$.greaterThan.value").hasMessageContaining("64-bit float");
                        assertThatThrownBy(() -> write(or(eq("customer", "A"), gt("publicationYear", v))))
                                .isInstanceOf(UnsupportedFilterException.class)
                                .hasMessageContaining("$.$or[1].publicationYear.$gt");
                    }
                }));
    }

    /** JSON text in one canonical spelling, so that an int node and a long node of the same number compare equal. */
    private static String canonical(String json) {
        try {
            return JSON.readTree(json).toString();
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @TestFactory
    Stream<DynamicTest> readsEveryPortableOperator() {
        record Case(String json, Filter expected) {
        }
        return Stream.of(
                new Case("{\"equals\":{\"key\":\"customer\",\"value\":\"CustomerA\"}}", eq("customer", "CustomerA")),
                new Case("{\"notEquals\":{\"key\":\"region\",\"value\":\"US\"}}", ne("region", "US")),
                new Case("{\"greaterThan\":{\"key\":\"publicationYear\",\"value\":2022}}", gt("publicationYear", 2022L)),
                new Case("{\"greaterThanOrEquals\":{\"key\":\"confidence\",\"value\":0.5}}", gte("confidence", 0.5)),
                new Case("{\"lessThan\":{\"key\":\"publicationYear\",\"value\":2023.5}}", lt("publicationYear", 2023.5)),
                new Case("{\"lessThanOrEquals\":{\"key\":\"confidence\",\"value\":1}}", lte("confidence", 1L)),
                new Case("{\"in\":{\"key\":\"region\",\"value\":[\"US\",\"UK\"]}}", in("region", "US", "UK")),
                new Case("{\"notIn\":{\"key\":\"publicationYear\",\"value\":[2021,2024.0]}}",
                        nin("publicationYear", 2021L, 2024.0)),
                new Case("{\"listContains\":{\"key\":\"patientIds\",\"value\":\"P003\"}}", eq("patientIds", "P003")),
                new Case("{\"equals\":{\"key\":\"reviewed\",\"value\":false}}", eq("reviewed", false)),
                new Case("{\"andAll\":[{\"equals\":{\"key\":\"customer\",\"value\":\"CustomerB\"}},"
                        + "{\"orAll\":[{\"notEquals\":{\"key\":\"region\",\"value\":\"UK\"}},"
                        + "{\"listContains\":{\"key\":\"tags\",\"value\":\"BRCA1\"}}]}]}",
                        and(eq("customer", "CustomerB"), or(ne("region", "UK"), eq("tags", "BRCA1")))))
                .map(c -> DynamicTest.dynamicTest(c.json, () -> {
                    assertThat(read(c.json)).isEqualTo(c.expected);
                    // and back: these are all in normal form
                    assertThat(write(c.expected).toString()).isEqualTo(canonical(c.json));
                }));
    }

    @Test
    void integersAndDoublesKeepTheirKinds() {
        assertThat(((Filter.Eq) read("{\"equals\":{\"key\":\"confidence\",\"value\":1}}")).value())
                .isEqualTo(new LongValue(1));
        assertThat(((Filter.Eq) read("{\"equals\":{\"key\":\"publicationYear\",\"value\":2023.0}}")).value())
                .isEqualTo(new DoubleValue(2023.0));
        assertThat(RetrievalFilterCodec.toJson(eq("publicationYear", 2023.0), SCHEMA))
                .isEqualTo("{\"equals\":{\"key\":\"publicationYear\",\"value\":2023.0}}");
    }

    @TestFactory
    Stream<DynamicTest> whatHasNoPortableMeaningIsATypedErrorNamingThePath() {
        record Case(String json, String path) {
        }
        return Stream.of(
                new Case("{\"startsWith\":{\"key\":\"focus\",\"value\":\"gen\"}}", "$.startsWith"),
                new Case("{\"andAll\":[{\"equals\":{\"key\":\"customer\",\"value\":\"CustomerA\"}},"
                        + "{\"stringContains\":{\"key\":\"focus\",\"value\":\"gen\"}}]}", "$.andAll[1].stringContains"),
                new Case("{\"equals\":{\"key\":\"patientIds\",\"value\":\"P001\"}}", "$.equals"),
                new Case("{\"notEquals\":{\"key\":\"tags\",\"value\":\"x\"}}", "$.notEquals"),
                new Case("{\"orAll\":[{\"in\":{\"key\":\"tags\",\"value\":[\"x\"]}},"
                        + "{\"equals\":{\"key\":\"region\",\"value\":\"US\"}}]}", "$.orAll[0].in"),
                new Case("{\"notIn\":{\"key\":\"patientIds\",\"value\":[\"P001\"]}}", "$.notIn"),
                new Case("{\"equals\":{\"key\":\"publicationYear\",\"value\":9007199254740993}}", "$.equals.value"))
                .map(c -> DynamicTest.dynamicTest(c.json, () -> assertThatThrownBy(() -> read(c.json))
                        .isInstanceOfSatisfying(UnsupportedFilterException.class, e -> {
                            assertThat(e.backend()).isEqualTo("bedrock");
                            assertThat(e.path()).isEqualTo(c.path);
                        })));
    }

    @TestFactory
    Stream<DynamicTest> malformedOrMismatchedInputIsAnInvalidFilterNamingThePath() {
        record Case(String json, String path, String reason) {
        }
        return Stream.of(
                new Case("[]", "$", "expected a RetrievalFilter object"),
                new Case("{}", "$", "empty object"),
                new Case("{\"equals\":{\"key\":\"customer\",\"value\":\"A\"},\"notEquals\":{\"key\":\"customer\","
                        + "\"value\":\"B\"}}", "$", "exactly one operator"),
                new Case("{\"like\":{\"key\":\"customer\",\"value\":\"A\"}}", "$.like", "unknown RetrievalFilter operator"),
                new Case("{\"andAll\":[{\"equals\":{\"key\":\"customer\",\"value\":\"A\"}}]}", "$.andAll",
                        "at least 2"),
                new Case("{\"orAll\":{\"equals\":{\"key\":\"customer\",\"value\":\"A\"}}}", "$.orAll", "array"),
                new Case("{\"equals\":{\"key\":\"colour\",\"value\":\"red\"}}", "$.equals.key", "unknown field 'colour'"),
                new Case("{\"equals\":{\"key\":\"customer\"}}", "$.equals.value", "missing"),
                new Case("{\"equals\":{\"key\":\"customer\",\"value\":\"A\",\"type\":\"STRING\"}}", "$.equals.type",
                        "unexpected member"),
                new Case("{\"equals\":{\"key\":\"publicationYear\",\"value\":\"2023\"}}", "$.equals.value",
                        "is LONG"),
                new Case("{\"equals\":{\"key\":\"customer\",\"value\":null}}", "$.equals.value", "found null"),
                new Case("{\"in\":{\"key\":\"region\",\"value\":[]}}", "$.in.value", "at least one value"),
                new Case("{\"in\":{\"key\":\"region\",\"value\":\"US\"}}", "$.in.value", "array"),
                new Case("{\"in\":{\"key\":\"region\",\"value\":[\"US\",3]}}", "$.in.value[1]", "is STRING"),
                new Case("{\"greaterThan\":{\"key\":\"region\",\"value\":3}}", "$.greaterThan.key", "numeric field"),
                new Case("{\"lessThan\":{\"key\":\"publicationYear\",\"value\":\"2020\"}}", "$.lessThan.value",
                        "is LONG"),
                new Case("{\"listContains\":{\"key\":\"region\",\"value\":\"US\"}}", "$.listContains.key",
                        "STRING_LIST"),
                new Case("{\"listContains\":{\"key\":\"tags\",\"value\":[\"x\"]}}", "$.listContains.value",
                        "expects a string"),
                new Case("{\"equals\":{\"key\":\"customer\",\"value\":\"A\",\"value\":\"B\"}}", "$.equals.value",
                        "Duplicate"))
                .map(c -> DynamicTest.dynamicTest(c.json, () -> assertThatThrownBy(() -> read(c.json))
                        .isExactlyInstanceOf(InvalidFilterException.class)
                        .hasMessageContaining(c.reason)
                        .satisfies(e -> assertThat(((InvalidFilterException) e).path()).isEqualTo(c.path))));
    }

    @Test
    void deepNestingIsBounded() {
        String json = "{\"equals\":{\"key\":\"customer\",\"value\":\"A\"}}";
        for (int i = 0; i < 40; i++) {
            json = "{\"andAll\":[" + json + ",{\"equals\":{\"key\":\"region\",\"value\":\"US\"}}]}";
        }
        String deep = json;
        assertThatThrownBy(() -> read(deep)).isInstanceOf(InvalidFilterException.class).hasMessageContaining("limit");
    }

    @TestFactory
    Stream<DynamicTest> writesPortafilterFiltersInBedrockTerms() {
        record Case(String name, Filter filter, String json) {
        }
        return Stream.of(
                new Case("$eq on a list field is listContains", eq("patientIds", "P001"),
                        "{\"listContains\":{\"key\":\"patientIds\",\"value\":\"P001\"}}"),
                new Case("$in on a list field is orAll of listContains", in("tags", "a", "b"),
                        "{\"orAll\":[{\"listContains\":{\"key\":\"tags\",\"value\":\"a\"}},"
                                + "{\"listContains\":{\"key\":\"tags\",\"value\":\"b\"}}]}"),
                new Case("a one-value $in on a list field is one listContains", in("tags", "a"),
                        "{\"listContains\":{\"key\":\"tags\",\"value\":\"a\"}}"),
                new Case("single-member $and is unwrapped", and(eq("customer", "CustomerA")),
                        "{\"equals\":{\"key\":\"customer\",\"value\":\"CustomerA\"}}"),
                new Case("single-member $or inside $and is unwrapped", and(or(ne("region", "US")), eq("reviewed", true)),
                        "{\"andAll\":[{\"notEquals\":{\"key\":\"region\",\"value\":\"US\"}},"
                                + "{\"equals\":{\"key\":\"reviewed\",\"value\":true}}]}"),
                new Case("$not $eq is notEquals", not(eq("region", "US")),
                        "{\"notEquals\":{\"key\":\"region\",\"value\":\"US\"}}"),
                new Case("$not $ne on a list field is listContains", not(ne("tags", "x")),
                        "{\"listContains\":{\"key\":\"tags\",\"value\":\"x\"}}"),
                new Case("$not $in is notIn", not(in("region", "US", "UK")),
                        "{\"notIn\":{\"key\":\"region\",\"value\":[\"US\",\"UK\"]}}"),
                new Case("$not $nin is in", not(nin("region", "US")), "{\"in\":{\"key\":\"region\",\"value\":[\"US\"]}}"),
                new Case("$not $and is orAll of negations (De Morgan)",
                        not(and(eq("customer", "CustomerA"), eq("region", "US"))),
                        "{\"orAll\":[{\"notEquals\":{\"key\":\"customer\",\"value\":\"CustomerA\"}},"
                                + "{\"notEquals\":{\"key\":\"region\",\"value\":\"US\"}}]}"),
                new Case("$not $or is andAll of negations", not(or(eq("focus", "NHS"), in("region", "EU"))),
                        "{\"andAll\":[{\"notEquals\":{\"key\":\"focus\",\"value\":\"NHS\"}},"
                                + "{\"notIn\":{\"key\":\"region\",\"value\":[\"EU\"]}}]}"),
                new Case("double negation cancels", not(not(gt("publicationYear", 2022))),
                        "{\"greaterThan\":{\"key\":\"publicationYear\",\"value\":2022}}"),
                new Case("$exists on a boolean: either value", exists("reviewed"),
                        "{\"in\":{\"key\":\"reviewed\",\"value\":[true,false]}}"),
                new Case("missing boolean: neither value", missing("reviewed"),
                        "{\"notIn\":{\"key\":\"reviewed\",\"value\":[true,false]}}"),
                new Case("$exists on a number: at least 0 or below 0", not(missing("confidence")),
                        "{\"orAll\":[{\"greaterThanOrEquals\":{\"key\":\"confidence\",\"value\":0}},"
                                + "{\"lessThan\":{\"key\":\"confidence\",\"value\":0}}]}"))
                .map(c -> DynamicTest.dynamicTest(c.name, () -> {
                    assertThat(write(c.filter).toString()).isEqualTo(canonical(c.json));
                    // what was written means what the filter means: the reference evaluator agrees on the scenario
                    Filter back = read(c.json);
                    ScenarioDataset.records().forEach(r -> assertThat(back.test(r.metadata()))
                            .as(r.id()).isEqualTo(c.filter.test(r.metadata())));
                }));
    }

    @TestFactory
    Stream<DynamicTest> whatBedrockCannotExpressIsATypedErrorNamingThePortafilterPath() {
        record Case(Filter filter, String path) {
        }
        return Stream.of(
                new Case(ne("patientIds", "P001"), "$.patientIds.$ne"),
                new Case(and(eq("customer", "CustomerA"), nin("tags", "x")), "$.$and[1].tags.$nin"),
                new Case(not(eq("tags", "x")), "$.$not.tags.$eq"),
                new Case(not(in("tags", "x")), "$.$not.tags.$in"),
                new Case(not(gt("publicationYear", 2022)), "$.$not.publicationYear.$gt"),
                new Case(or(eq("customer", "CustomerA"), not(and(eq("region", "US"), lte("confidence", 0.5)))),
                        "$.$or[1].$not.$and[1].confidence.$lte"),
                new Case(exists("region"), "$.region.$exists"),
                new Case(missing("publicationYear"), "$.publicationYear.$exists"),
                new Case(not(exists("publicationYear")), "$.$not.publicationYear.$exists"),
                new Case(missing("tags"), "$.tags.$exists"),
                new Case(eq("publicationYear", 9_007_199_254_740_993L), "$.publicationYear.$eq"))
                .map(c -> DynamicTest.dynamicTest(FilterJson.write(c.filter), () -> {
                    assertThatThrownBy(() -> write(c.filter))
                            .isInstanceOfSatisfying(UnsupportedFilterException.class, e -> {
                                assertThat(e.backend()).isEqualTo("bedrock");
                                assertThat(e.path()).isEqualTo(c.path);
                            });
                    assertThatThrownBy(() -> RetrievalFilterCodec.toSdk(c.filter, SCHEMA))
                            .isInstanceOf(UnsupportedFilterException.class);
                }));
    }

    @Test
    void aFilterThatDoesNotFitTheSchemaIsInvalidNotUnsupported() {
        assertThatThrownBy(() -> write(eq("colour", "red"))).isExactlyInstanceOf(InvalidFilterException.class)
                .hasMessageContaining("colour");
        assertThatThrownBy(() -> write(gt("region", 3))).isExactlyInstanceOf(InvalidFilterException.class);
    }

    @Test
    void theInexpressibleSemanticsCasesAreExactlyTheDocumentedOnes() {
        Set<SemanticsCase.Id> refused = SemanticsCases.all().stream()
                .filter(c -> {
                    try {
                        write(c.filter());
                        return false;
                    } catch (UnsupportedFilterException e) {
                        return true;
                    }
                })
                .map(SemanticsCase::id)
                .collect(Collectors.toSet());
        assertThat(refused).isEqualTo(INEXPRESSIBLE);
    }

    /** The scenario with only its required strings (customer, documentType) declared: every other key is undeclared. */
    private static final MetadataSchema UNDECLARED = StoreFixture.undeclaredSchema(SCHEMA);

    /** Numbers and booleans on undeclared keys are read by their own kind and written back unchanged, JSON and SDK. */
    @TestFactory
    Stream<DynamicTest> undeclaredKeysReadAndWriteNumbersAndBooleansByTheirOwnKind() {
        record Case(String json, Filter expected) {
        }
        return Stream.of(
                new Case("{\"equals\":{\"key\":\"year\",\"value\":2023}}", eq("year", 2023L)),
                new Case("{\"equals\":{\"key\":\"year\",\"value\":2023.0}}", eq("year", 2023.0)),
                new Case("{\"notEquals\":{\"key\":\"score\",\"value\":0.5}}", ne("score", 0.5)),
                new Case("{\"equals\":{\"key\":\"reviewed\",\"value\":false}}", eq("reviewed", false)),
                new Case("{\"notEquals\":{\"key\":\"reviewed\",\"value\":true}}", ne("reviewed", true)),
                new Case("{\"in\":{\"key\":\"year\",\"value\":[2021,2024.5]}}", in("year", 2021L, 2024.5)),
                new Case("{\"notIn\":{\"key\":\"flags\",\"value\":[true]}}", nin("flags", true)),
                new Case("{\"greaterThan\":{\"key\":\"year\",\"value\":2022}}", gt("year", 2022L)),
                new Case("{\"greaterThanOrEquals\":{\"key\":\"year\",\"value\":2023.5}}", gte("year", 2023.5)),
                new Case("{\"lessThan\":{\"key\":\"score\",\"value\":-1}}", lt("score", -1L)),
                new Case("{\"lessThanOrEquals\":{\"key\":\"score\",\"value\":0.75}}", lte("score", 0.75)),
                new Case("{\"andAll\":[{\"equals\":{\"key\":\"customer\",\"value\":\"CustomerA\"}},"
                        + "{\"orAll\":[{\"greaterThan\":{\"key\":\"year\",\"value\":2022}},"
                        + "{\"equals\":{\"key\":\"reviewed\",\"value\":true}}]}]}",
                        and(eq("customer", "CustomerA"), or(gt("year", 2022L), eq("reviewed", true)))))
                .map(c -> DynamicTest.dynamicTest(c.json, () -> {
                    assertThat(RetrievalFilterCodec.fromJson(c.json, UNDECLARED)).isEqualTo(c.expected);
                    assertThat(RetrievalFilterCodec.toJson(c.expected, UNDECLARED)).isEqualTo(canonical(c.json));
                    RetrievalFilter sdk = RetrievalFilterCodec.toSdk(c.expected, UNDECLARED);
                    assertThat(RetrievalFilterCodec.fromSdk(sdk, UNDECLARED)).isEqualTo(c.expected);
                }));
    }

    /**
     * A string compared with an undeclared key is refused both ways, naming the path: the key may hold a string in
     * one document and a list in another, and Bedrock documents equals, notEquals, in and notIn for single values and
     * listContains for lists only.
     */
    @TestFactory
    Stream<DynamicTest> stringsOnUndeclaredKeysAreRefusedBothWaysNamingThePath() {
        record Read(String json, String path) {
        }
        record Write(Filter filter, String path) {
        }
        Stream<DynamicTest> reads = Stream.of(
                new Read("{\"equals\":{\"key\":\"region\",\"value\":\"US\"}}", "$.equals"),
                new Read("{\"notEquals\":{\"key\":\"region\",\"value\":\"\"}}", "$.notEquals"),
                new Read("{\"in\":{\"key\":\"region\",\"value\":[\"US\",\"UK\"]}}", "$.in"),
                new Read("{\"notIn\":{\"key\":\"focus\",\"value\":[\"genomics\"]}}", "$.notIn"),
                new Read("{\"listContains\":{\"key\":\"patientIds\",\"value\":\"P001\"}}", "$.listContains"),
                new Read("{\"andAll\":[{\"equals\":{\"key\":\"customer\",\"value\":\"CustomerA\"}},"
                        + "{\"orAll\":[{\"greaterThan\":{\"key\":\"year\",\"value\":2022}},"
                        + "{\"listContains\":{\"key\":\"tags\",\"value\":\"x\"}}]}]}",
                        "$.andAll[1].orAll[1].listContains"))
                .map(c -> DynamicTest.dynamicTest("read " + c.json, () -> assertThatThrownBy(
                        () -> RetrievalFilterCodec.fromJson(c.json, UNDECLARED))
                        .isInstanceOfSatisfying(UnsupportedFilterException.class, e -> {
                            assertThat(e.backend()).isEqualTo("bedrock");
                            assertThat(e.path()).isEqualTo(c.path);
                            assertThat(e.getMessage()).contains("undeclared").contains("declare '");
                        })));
        Stream<DynamicTest> writes = Stream.of(
                new Write(eq("region", "US"), "$.region.$eq"),
                new Write(eq("patientIds", "P001"), "$.patientIds.$eq"),
                new Write(in("tags", "a", "b"), "$.tags.$in"),
                new Write(ne("region", "US"), "$.region.$ne"),
                new Write(not(eq("region", "US")), "$.$not.region.$eq"),
                new Write(and(eq("customer", "CustomerA"), or(gt("year", 1), nin("focus", "x"))),
                        "$.$and[1].$or[1].focus.$nin"))
                .map(c -> DynamicTest.dynamicTest("write " + FilterJson.write(c.filter), () -> assertThatThrownBy(
                        () -> RetrievalFilterCodec.toSdk(c.filter, UNDECLARED))
                        .isInstanceOfSatisfying(UnsupportedFilterException.class, e -> {
                            assertThat(e.backend()).isEqualTo("bedrock");
                            assertThat(e.path()).isEqualTo(c.path);
                            assertThat(e.getMessage()).contains("undeclared");
                        })));
        return Stream.concat(reads, writes);
    }

    /** Undeclared keys keep every other check: malformed values, mixed kinds, ranges on non-numbers, exact integers. */
    @TestFactory
    Stream<DynamicTest> undeclaredKeysKeepTheOtherChecks() {
        record Case(String json, String path, String reason, Class<? extends Throwable> type) {
        }
        return Stream.of(
                new Case("{\"greaterThan\":{\"key\":\"year\",\"value\":\"2020\"}}", "$.greaterThan.value",
                        "compares numbers only, found a string", InvalidFilterException.class),
                new Case("{\"lessThan\":{\"key\":\"flag\",\"value\":true}}", "$.lessThan.value",
                        "compares numbers only, found a boolean", InvalidFilterException.class),
                new Case("{\"in\":{\"key\":\"year\",\"value\":[2021,\"2022\"]}}", "$.in.value[1]",
                        "one kind: number then string", InvalidFilterException.class),
                new Case("{\"equals\":{\"key\":\"year\",\"value\":null}}", "$.equals.value", "found null",
                        InvalidFilterException.class),
                new Case("{\"notIn\":{\"key\":\"year\",\"value\":[]}}", "$.notIn.value", "at least one value",
                        InvalidFilterException.class),
                new Case("{\"equals\":{\"key\":\"customer\",\"value\":3}}", "$.equals.value", "is STRING",
                        InvalidFilterException.class),
                new Case("{\"listContains\":{\"key\":\"customer\",\"value\":\"A\"}}", "$.listContains.key",
                        "STRING_LIST", InvalidFilterException.class),
                new Case("{\"equals\":{\"key\":\"year\",\"value\":9007199254740992}}", "$.equals.value",
                        "64-bit float", UnsupportedFilterException.class),
                new Case("{\"stringContains\":{\"key\":\"focus\",\"value\":\"gen\"}}", "$.stringContains",
                        "substrings", UnsupportedFilterException.class))
                .map(c -> DynamicTest.dynamicTest(c.json, () -> assertThatThrownBy(
                        () -> RetrievalFilterCodec.fromJson(c.json, UNDECLARED))
                        .isExactlyInstanceOf(c.type)
                        .hasMessageContaining(c.reason)
                        .satisfies(e -> assertThat(((InvalidFilterException) e).path()).isEqualTo(c.path))));
    }

    /** What Bedrock cannot state on undeclared keys whatever the value: presence, and a range's complement. */
    @Test
    void presenceAndComplementedRangesOnUndeclaredKeysAreRefused() {
        assertThatThrownBy(() -> RetrievalFilterCodec.toJson(exists("year"), UNDECLARED))
                .isInstanceOfSatisfying(UnsupportedFilterException.class,
                        e -> assertThat(e.path()).isEqualTo("$.year.$exists"));
        assertThatThrownBy(() -> RetrievalFilterCodec.toJson(and(eq("customer", "A"), not(gt("year", 2022))), UNDECLARED))
                .isInstanceOfSatisfying(UnsupportedFilterException.class,
                        e -> assertThat(e.path()).isEqualTo("$.$and[1].$not.year.$gt"));
        assertThatThrownBy(() -> RetrievalFilterCodec.toJson(eq("year", 9_007_199_254_740_993L), UNDECLARED))
                .isInstanceOfSatisfying(UnsupportedFilterException.class,
                        e -> assertThat(e.path()).isEqualTo("$.year.$eq"));
    }

    /**
     * What is written for undeclared keys means on Bedrock what the filter means, on documents where one key holds a
     * value of a different kind in each (a string, an integer, an integral double, a boolean, nothing).
     */
    @Test
    void undeclaredNumbersAndBooleansKeepTheirMeaningUnderBedrockSemantics() {
        List<Metadata> documents = List.of(Metadata.of("customer", "A", "documentType", "n", "year", "2023"),
                Metadata.of("customer", "A", "documentType", "n", "year", 2023L),
                Metadata.of("customer", "A", "documentType", "n", "year", 2023.0),
                Metadata.of("customer", "A", "documentType", "n", "year", 2022.5),
                Metadata.of("customer", "A", "documentType", "n", "year", true),
                Metadata.of("customer", "A", "documentType", "n"));
        for (Filter f : List.of(eq("year", 2023L), ne("year", 2023.0), in("year", 2022.5, 2023L), nin("year", 2023L),
                gt("year", 2022L), lte("year", 2022.5), eq("year", true), ne("year", false), in("year", true, false),
                or(lt("year", 2023L), eq("year", true)))) {
            JsonNode written = RetrievalFilterCodec.toJsonNode(f, UNDECLARED);
            for (Metadata m : documents) {
                assertThat(BedrockSemantics.matches(written, JSON.valueToTree(m.toJava())))
                        .as("%s as %s on %s", FilterJson.write(f), written, m).isEqualTo(f.test(m));
            }
        }
    }

    @Test
    void theSdkModelCarriesTheSameFilter() {
        Filter f = and(eq("customer", "CustomerA"), or(eq("patientIds", "P003"), gte("confidence", 0.9)),
                nin("region", "EU"));
        RetrievalFilter sdk = RetrievalFilterCodec.toSdk(f, SCHEMA);
        assertThat(sdk.andAll()).hasSize(3);
        assertThat(sdk.andAll().get(0).equalsValue().key()).isEqualTo("customer");
        assertThat(sdk.andAll().get(0).equalsValue().value().asString()).isEqualTo("CustomerA");
        assertThat(sdk.andAll().get(1).orAll().get(0).listContains().key()).isEqualTo("patientIds");
        assertThat(sdk.andAll().get(2).notIn().value().asList()).extracting(Document::asString).containsExactly("EU");
        assertThat(RetrievalFilterCodec.sdkToJson(sdk)).isEqualTo(write(f));
        assertThat(RetrievalFilterCodec.fromSdk(sdk, SCHEMA)).isEqualTo(f);
    }

    @Test
    void sdkNumbersKeepTheirKinds() {
        FilterAttribute year = FilterAttribute.builder().key("publicationYear")
                .value(Document.fromNumber(SdkNumber.fromString("2023"))).build();
        FilterAttribute fraction = FilterAttribute.builder().key("publicationYear")
                .value(Document.fromNumber(2023.5)).build();
        FilterAttribute integralDouble = FilterAttribute.builder().key("publicationYear")
                .value(Document.fromNumber(SdkNumber.fromString("2023.0"))).build();
        assertThat(RetrievalFilterCodec.fromSdk(RetrievalFilter.fromGreaterThan(year), SCHEMA))
                .isEqualTo(gt("publicationYear", 2023L));
        assertThat(RetrievalFilterCodec.fromSdk(RetrievalFilter.fromGreaterThan(fraction), SCHEMA))
                .isEqualTo(gt("publicationYear", 2023.5));
        assertThat(RetrievalFilterCodec.fromSdk(RetrievalFilter.fromGreaterThan(integralDouble), SCHEMA))
                .isEqualTo(gt("publicationYear", 2023.0));
    }

    @Test
    void anSdkNodeWithTwoOperatorsOrNoneIsRejectedWithItsPath() {
        FilterAttribute a = FilterAttribute.builder().key("customer").value(Document.fromString("CustomerA")).build();
        RetrievalFilter two = RetrievalFilter.builder().equalsValue(a).notEquals(a).build();
        RetrievalFilter none = RetrievalFilter.builder().build();
        RetrievalFilter nested = RetrievalFilter.fromOrAll(List.of(RetrievalFilter.fromEqualsValue(a), two));
        assertThatThrownBy(() -> RetrievalFilterCodec.fromSdk(two, SCHEMA)).isInstanceOf(InvalidFilterException.class)
                .hasMessageContaining("equals, notEquals");
        assertThatThrownBy(() -> RetrievalFilterCodec.fromSdk(none, SCHEMA)).isInstanceOf(InvalidFilterException.class)
                .hasMessageContaining("found none");
        assertThatThrownBy(() -> RetrievalFilterCodec.fromSdk(nested, SCHEMA))
                .isInstanceOfSatisfying(InvalidFilterException.class, e -> assertThat(e.path()).isEqualTo("$.orAll[1]"));
    }
}

package dev.portafilter.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.conformance.RandomScenario;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.internal.FilterJsonCodec;
import dev.portafilter.core.metadata.BooleanValue;
import dev.portafilter.core.metadata.DoubleValue;
import dev.portafilter.core.metadata.FieldSpec;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.LongValue;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.ScalarValue;
import dev.portafilter.core.metadata.StringValue;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.localservers.bedrock.BedrockSemantics;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The codec's laws on random filters over the scenario schema:
 * <ul>
 *   <li>a filter in Bedrock's native fragment survives filter → RetrievalFilter → filter unchanged (JSON and SDK);</li>
 *   <li>a RetrievalFilter survives RetrievalFilter → filter → RetrievalFilter unchanged;</li>
 *   <li>any other filter is either refused with a typed error, or written as a RetrievalFilter that, under Bedrock's
 *       documented semantics, matches exactly the records the filter matches — and reads back to its normal form,
 *       which writes to the same RetrievalFilter again;</li>
 *   <li>with the keys undeclared (only the required strings declared), all of this holds for every filter that
 *       compares no string with an undeclared key, and those that do are refused both ways.</li>
 * </ul>
 */
class RetrievalFilterPropertiesTest {
    private static final MetadataSchema SCHEMA = ScenarioDataset.SCHEMA;
    private static final MetadataSchema UNDECLARED = StoreFixture.undeclaredSchema(SCHEMA);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final List<VectorRecord> RECORDS = RandomScenario.records(20261125L, 120);
    private static final List<JsonNode> ATTRIBUTES = RECORDS.stream()
            .<JsonNode>map(r -> JSON.valueToTree(r.metadata().toJava()))
            .toList();

    @Property(tries = 400)
    void nativeFiltersRoundTripExactly(@ForAll("nativeFilters") Filter filter) {
        ObjectNode json = RetrievalFilterCodec.toJsonNode(filter, SCHEMA);
        assertThat(RetrievalFilterCodec.fromJson(json, SCHEMA)).as(json.toString()).isEqualTo(filter);
        assertThat(RetrievalFilterCodec.fromJson(json.toString(), SCHEMA)).isEqualTo(filter);
        var sdk = RetrievalFilterCodec.toSdk(filter, SCHEMA);
        assertThat(RetrievalFilterCodec.sdkToJson(sdk).toString()).isEqualTo(json.toString());
        assertThat(RetrievalFilterCodec.fromSdk(sdk, SCHEMA)).isEqualTo(filter);
    }

    @Property(tries = 400)
    void retrievalFiltersRoundTripExactly(@ForAll("retrievalFilters") JsonNode json) {
        Filter filter = RetrievalFilterCodec.fromJson(json, SCHEMA);
        assertThat(RetrievalFilterCodec.toJsonNode(filter, SCHEMA).toString()).isEqualTo(json.toString());
    }

    @Property(tries = 600)
    void everyWrittenFilterKeepsItsMeaningUnderBedrockSemantics(@ForAll("anyFilters") Filter filter) {
        keepsItsMeaningOrIsRefused(filter, SCHEMA);
        Statistics.label("written").coverage(c -> c.check(true).percentage(p -> p >= 25));
    }

    @Property(tries = 600)
    void everyFilterWrittenForUndeclaredKeysKeepsItsMeaningUnderBedrockSemantics(@ForAll("anyFilters") Filter filter) {
        keepsItsMeaningOrIsRefused(filter, UNDECLARED);
        Statistics.label("written").coverage(c -> c.check(true).percentage(p -> p >= 10));
    }

    private static void keepsItsMeaningOrIsRefused(Filter filter, MetadataSchema schema) {
        ObjectNode json;
        try {
            json = RetrievalFilterCodec.toJsonNode(filter, schema);
        } catch (UnsupportedFilterException e) {
            Statistics.label("written").collect(false);
            assertThat(e.backend()).isEqualTo("bedrock");
            assertThat(e.path()).startsWith("$");
            return;
        }
        Statistics.label("written").collect(true);
        Filter normal = RetrievalFilterCodec.fromJson(json, schema);
        for (int i = 0; i < RECORDS.size(); i++) {
            boolean expected = filter.test(RECORDS.get(i).metadata());
            assertThat(BedrockSemantics.matches(json, ATTRIBUTES.get(i)))
                    .as("%s as %s on %s", FilterJson.write(filter), json, RECORDS.get(i).id()).isEqualTo(expected);
            assertThat(normal.test(RECORDS.get(i).metadata())).as("normal form %s", FilterJson.write(normal))
                    .isEqualTo(expected);
        }
        assertThat(RetrievalFilterCodec.toJsonNode(normal, schema).toString()).isEqualTo(json.toString());
        assertThat(RetrievalFilterCodec.fromSdk(RetrievalFilterCodec.toSdk(filter, schema), schema)).isEqualTo(normal);
    }

    /**
     * With undeclared keys, a native filter is written as with the declared schema and reads back unchanged, unless
     * it compares a string with an undeclared key: then both its writing and the reading of its RetrievalFilter are
     * refused.
     */
    @Property(tries = 400)
    void nativeFiltersOnUndeclaredKeysRoundTripExactlyOrRefuseStrings(@ForAll("nativeFilters") Filter filter) {
        ObjectNode declared = RetrievalFilterCodec.toJsonNode(filter, SCHEMA);
        boolean refused = BedrockFilterTable.comparesUndeclaredString(declared, UNDECLARED);
        Statistics.label("refused").collect(refused);
        if (refused) {
            assertThatThrownBy(() -> RetrievalFilterCodec.toJsonNode(filter, UNDECLARED))
                    .isInstanceOf(UnsupportedFilterException.class).hasMessageContaining("undeclared");
            assertThatThrownBy(() -> RetrievalFilterCodec.fromJson(declared, UNDECLARED))
                    .isInstanceOf(UnsupportedFilterException.class).hasMessageContaining("undeclared");
            return;
        }
        ObjectNode json = RetrievalFilterCodec.toJsonNode(filter, UNDECLARED);
        assertThat(json).isEqualTo(declared);
        assertThat(RetrievalFilterCodec.fromJson(json, UNDECLARED)).isEqualTo(filter);
        assertThat(RetrievalFilterCodec.fromSdk(RetrievalFilterCodec.toSdk(filter, UNDECLARED), UNDECLARED))
                .isEqualTo(filter);
        Statistics.label("refused").coverage(c -> c.check(false).percentage(p -> p >= 10));
    }

    /** The same from the RetrievalFilter side: read as with the declared schema and written back unchanged, or refused. */
    @Property(tries = 400)
    void retrievalFiltersOnUndeclaredKeysRoundTripExactlyOrRefuseStrings(@ForAll("retrievalFilters") JsonNode json) {
        boolean refused = BedrockFilterTable.comparesUndeclaredString(json, UNDECLARED);
        Statistics.label("refused").collect(refused);
        if (refused) {
            assertThatThrownBy(() -> RetrievalFilterCodec.fromJson(json, UNDECLARED))
                    .isInstanceOf(UnsupportedFilterException.class).hasMessageContaining("undeclared");
            return;
        }
        Filter filter = RetrievalFilterCodec.fromJson(json, UNDECLARED);
        assertThat(filter).isEqualTo(RetrievalFilterCodec.fromJson(json, SCHEMA));
        assertThat(RetrievalFilterCodec.toJsonNode(filter, UNDECLARED).toString()).isEqualTo(json.toString());
        Statistics.label("refused").coverage(c -> c.check(false).percentage(p -> p >= 10));
    }

    @Provide
    Arbitrary<Filter> anyFilters() {
        return RandomScenario.filters(3);
    }

    /** Filters with a one-to-one RetrievalFilter form: no $not, no $exists, lists only under $eq, 2+ members per group. */
    @Provide
    Arbitrary<Filter> nativeFilters() {
        return Arbitraries.recursive(this::nativeLeaves, inner -> Arbitraries.oneOf(
                inner.list().ofMinSize(2).ofMaxSize(3).map(Filter.And::new),
                inner.list().ofMinSize(2).ofMaxSize(3).map(Filter.Or::new)), 0, 3);
    }

    private Arbitrary<Filter> nativeLeaves() {
        List<Arbitrary<Filter>> leaves = new ArrayList<>();
        for (FieldSpec spec : SCHEMA.fields()) {
            String f = spec.name();
            Arbitrary<ScalarValue> values = values(spec.type());
            leaves.add(values.map(v -> new Filter.Eq(f, v)));
            if (spec.type() != FieldType.STRING_LIST) {
                leaves.add(values.map(v -> new Filter.Ne(f, v)));
                leaves.add(values.list().ofMinSize(1).ofMaxSize(3).map(vs -> new Filter.In(f, vs)));
                leaves.add(values.list().ofMinSize(1).ofMaxSize(3).map(vs -> new Filter.Nin(f, vs)));
            }
            if (spec.type().isNumeric()) {
                leaves.add(Arbitraries.of(Filter.RangeOp.class)
                        .flatMap(op -> values.map(v -> new Filter.Range(f, op, (NumberValue) v))));
            }
        }
        return Arbitraries.oneOf(leaves);
    }

    /** RetrievalFilter JSON built directly, not through the writer. */
    @Provide
    Arbitrary<JsonNode> retrievalFilters() {
        return Arbitraries.recursive(this::retrievalLeaves, inner -> Arbitraries.oneOf(
                group("andAll", inner), group("orAll", inner)), 0, 3);
    }

    private static Arbitrary<JsonNode> group(String op, Arbitrary<JsonNode> inner) {
        return inner.list().ofMinSize(2).ofMaxSize(3).map(members -> {
            ObjectNode node = NODES.objectNode();
            ArrayNode array = node.putArray(op);
            members.forEach(array::add);
            return node;
        });
    }

    private Arbitrary<JsonNode> retrievalLeaves() {
        List<Arbitrary<JsonNode>> leaves = new ArrayList<>();
        for (FieldSpec spec : SCHEMA.fields()) {
            Arbitrary<JsonNode> value = values(spec.type()).map(FilterJsonCodec::toJson);
            Arbitrary<JsonNode> array = value.list().ofMinSize(1).ofMaxSize(3).map(vs -> {
                ArrayNode a = NODES.arrayNode();
                vs.forEach(a::add);
                return a;
            });
            if (spec.type() == FieldType.STRING_LIST) {
                leaves.add(value.map(v -> leaf("listContains", spec.name(), v)));
                continue;
            }
            for (String op : List.of("equals", "notEquals")) {
                leaves.add(value.map(v -> leaf(op, spec.name(), v)));
            }
            for (String op : List.of("in", "notIn")) {
                leaves.add(array.map(v -> leaf(op, spec.name(), v)));
            }
            if (spec.type().isNumeric()) {
                for (String op : List.of("greaterThan", "greaterThanOrEquals", "lessThan", "lessThanOrEquals")) {
                    leaves.add(value.map(v -> leaf(op, spec.name(), v)));
                }
            }
        }
        return Arbitraries.oneOf(leaves);
    }

    private static JsonNode leaf(String op, String key, JsonNode value) {
        ObjectNode node = NODES.objectNode();
        node.putObject(op).put("key", key).set("value", value);
        return node;
    }

    private static Arbitrary<ScalarValue> values(FieldType type) {
        return switch (type) {
            case STRING, STRING_LIST -> Arbitraries.of("CustomerA", "CustomerB", "US", "", "P001", "outpatient",
                    "genetic-test", "note").map(StringValue::new);
            case LONG, DOUBLE -> Arbitraries.oneOf(
                    Arbitraries.longs().between(-3, 2030).map(LongValue::new),
                    Arbitraries.of(0.5, 0.75, 2022.5, 2023.0, -1.25).map(DoubleValue::new));
            case BOOLEAN -> Arbitraries.of(BooleanValue.TRUE, BooleanValue.FALSE);
        };
    }
}

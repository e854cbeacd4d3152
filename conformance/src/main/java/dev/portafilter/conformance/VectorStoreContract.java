package dev.portafilter.conformance;

import dev.portafilter.core.metadata.NumberValue;
import dev.portafilter.core.metadata.MetadataValue;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.metadata.MetadataSchema;
import java.util.LinkedHashMap;
import java.util.Map;
import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.InvalidRecordException;
import dev.portafilter.core.UnsupportedCapabilityException;
import dev.portafilter.core.WriteConflictException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.DoubleValue;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.StringValue;
import dev.portafilter.core.store.Capability;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.internal.Vectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The store contract: every semantics case by search and by count, deleteWhere, upsert, delete, scores,
 * validation before writing, and declared capabilities. Extend it with a {@link StoreFixture} for your backend.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class VectorStoreContract implements ConformanceContract {
    /** Bigger than the dataset, so search returns every match. */
    protected static final int ALL_K = 100;
    /** The semantics cases also checked by deleteWhere, each on a fresh store: ones where missing fields matter. */
    private static final Set<SemanticsCase.Id> DELETE_WHERE_CASES = EnumSet.of(SemanticsCase.Id.NE_KEEPS_MISSING,
            SemanticsCase.Id.NIN_OPTIONAL_FIELD, SemanticsCase.Id.LIST_NIN_NO_ELEMENT,
            SemanticsCase.Id.NOT_RANGE_KEEPS_MISSING, SemanticsCase.Id.DE_MORGAN_NOT_OR);

    private StoreFixture fixture;
    private VectorStore shared;

    /** The backend under test. Called once per test class. */
    protected abstract StoreFixture fixture();

    @BeforeAll
    void loadScenario() {
        fixture = fixture();
        shared = fixture.newStore(ScenarioDataset.SCHEMA, ScenarioDataset.DIMENSION);
        shared.upsert(ScenarioDataset.records());
    }

    @AfterAll
    void disposeScenario() {
        if (shared != null) {
            fixture.dispose(shared);
        }
    }

    @TestFactory
    Stream<DynamicTest> semanticsBySearch() {
        return SemanticsCases.all().stream().map(c -> DynamicTest.dynamicTest("search: " + c,
                () -> Declines.orDeclined(shared, () -> {
                    List<SearchHit> hits = shared.search(ScenarioDataset.vectorFor("query", ScenarioDataset.DIMENSION),
                            ALL_K, c.filter());
                    assertThat(ids(hits)).as(c.filterJson()).containsExactlyInAnyOrderElementsOf(c.expectedIds());
                })));
    }

    @TestFactory
    Stream<DynamicTest> semanticsByCount() {
        return SemanticsCases.all().stream().map(c -> DynamicTest.dynamicTest("count: " + c,
                () -> ifSupported(shared, Capability.COUNT, () -> c.filter(), f -> shared.count(f),
                        () -> assertThat(shared.count(c.filter())).as(c.filterJson())
                                .isEqualTo(c.expectedIds().size()))));
    }

    @TestFactory
    Stream<DynamicTest> semanticsByDeleteWhere() {
        // A representative subset: each needs a fresh store.
        return SemanticsCases.all().stream()
                .filter(c -> DELETE_WHERE_CASES.contains(c.id()))
                .map(c -> DynamicTest.dynamicTest("deleteWhere: " + c, () -> fixture.withFreshScenario(store ->
                        ifSupported(store, Capability.DELETE_WHERE, c::filter, store::deleteWhere, () -> Declines.orDeclined(store, () -> {
                            long deleted = store.deleteWhere(c.filter());
                            assertThat(deleted).isEqualTo(c.expectedIds().size());
                            Set<String> remaining = new HashSet<>(ScenarioDataset.ids());
                            remaining.removeAll(c.expectedIds());
                            assertThat(ids(store.search(ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION), ALL_K)))
                                    .containsExactlyInAnyOrderElementsOf(remaining);
                        })))));
    }

    @Test
    void countWithoutFilterCountsEverything() {
        long total;
        try {
            total = shared.count();
        } catch (UnsupportedCapabilityException refused) {
            // without COUNT a store may refuse even this; with it, never
            assertThat(shared.capabilities()).doesNotContain(Capability.COUNT);
            return;
        }
        assertThat(total).isEqualTo(ScenarioDataset.records().size());
    }

    @Test
    void searchReturnsBestFirstWithCosineScores() {
        VectorRecord target = ScenarioDataset.byId().get("A-C003");
        List<SearchHit> hits = shared.search(target.vector(), 3);
        assertThat(hits).hasSize(3);
        assertThat(hits.get(0).id()).isEqualTo("A-C003");
        assertThat(hits.get(0).score()).isCloseTo(1.0, within(1e-3));
        for (int i = 1; i < hits.size(); i++) {
            assertThat(hits.get(i).score()).isLessThanOrEqualTo(hits.get(i - 1).score());
        }
        for (SearchHit hit : hits) {
            VectorRecord stored = ScenarioDataset.byId().get(hit.id());
            double expected = Vectors.cosine(target.vector(), stored.vector());
            assertThat(hit.score()).as("cosine score of " + hit.id()).isCloseTo(expected, within(1e-3));
        }
    }

    @Test
    void searchReturnsTextAndMetadataAsStored() {
        for (VectorRecord r : ScenarioDataset.records()) {
            List<SearchHit> hits = shared.search(r.vector(), 1);
            assertThat(hits).hasSize(1);
            SearchHit hit = hits.get(0);
            assertThat(hit.id()).isEqualTo(r.id());
            assertThat(hit.text()).isEqualTo(r.text());
            assertSameValues(hit.metadata(), shared.schema().validateRecord(r.id(), r.metadata()));
        }
    }

    @Test
    void searchHonoursTopK() {
        float[] q = ScenarioDataset.vectorFor("query", ScenarioDataset.DIMENSION);
        assertThat(shared.search(q, 5)).hasSize(5);
        assertThat(shared.search(q, 2, Filters.eq("customer", "CustomerB"))).hasSize(2)
                .allSatisfy(h -> assertThat(h.id()).startsWith("B-"));
        // top-k equals the best k of the full filtered result
        List<SearchHit> all = shared.search(q, ALL_K, Filters.eq("customer", "CustomerA"));
        List<SearchHit> top3 = shared.search(q, 3, Filters.eq("customer", "CustomerA"));
        assertThat(ids(top3)).containsExactlyElementsOf(ids(all.subList(0, 3)));
    }

    @Test
    void invalidFiltersFailBeforeReachingTheBackend() {
        float[] q = ScenarioDataset.vectorFor("query", ScenarioDataset.DIMENSION);
        MetadataSchema schema = shared.schema();
        // each is invalid where the schema declares what it contradicts; on an undeclared field it is a valid filter
        // that no scenario record matches (no colour; years are numbers; regions are strings)
        Map<Filter, Boolean> filters = new LinkedHashMap<>();
        filters.put(Filters.eq("colour", "red"), !schema.allowsUndeclared());
        filters.put(Filters.eq("publicationYear", "2023"), schema.field("publicationYear").isPresent());
        filters.put(Filters.gt("region", 3), schema.field("region").isPresent());
        filters.forEach((f, invalid) -> {
            if (invalid) {
                assertThatThrownBy(() -> shared.search(q, 5, f)).isInstanceOf(InvalidFilterException.class);
                assertThatThrownBy(() -> shared.count(f)).isInstanceOf(InvalidFilterException.class);
                assertThatThrownBy(() -> shared.deleteWhere(f)).isInstanceOf(InvalidFilterException.class);
            } else {
                assertThat(ScenarioDataset.records()).noneMatch(r -> f.test(r.metadata()));
                assertThat(shared.search(q, ALL_K, f)).as("%s", f).isEmpty();
            }
        });
        // ranges compare numbers only, declared or not: a string range (LangChain4j's isGreaterThan("m")) is refused as
        // the filter is read, so no backend answers it in an order of its own
        assertThatThrownBy(() -> FilterJson.parse("{\"region\":{\"$gt\":\"m\"}}"))
                .isInstanceOf(InvalidFilterException.class).hasMessageContaining("numbers only");
        if (shared.capabilities().contains(Capability.COUNT)) {
            assertThat(shared.count()).isEqualTo(ScenarioDataset.records().size());
        }
    }

    @Test
    void upsertReplacesById() {
        fixture.withFreshScenario(store -> {
            VectorRecord old = ScenarioDataset.byId().get("B-S002");
            VectorRecord changed = new VectorRecord(old.id(), old.vector(), "replaced",
                    old.metadata().with("focus", new StringValue("oncology")));
            store.upsert(List.of(changed));
            assertThat(ids(store.search(old.vector(), ALL_K, Filters.eq("focus", "oncology"))))
                    .containsExactlyInAnyOrder("A-C002", "B-S002");
            assertThat(ids(store.search(old.vector(), ALL_K, Filters.eq("focus", "genomics"))))
                    .containsExactly("B-S001");
            assertThat(store.search(old.vector(), 1).get(0).text()).isEqualTo("replaced");
            assertThat(ids(store.search(old.vector(), ALL_K))).hasSize(ScenarioDataset.records().size());
        });
    }

    @Test
    void aBatchWithOneBadRecordWritesNothing() {
        fixture.withFreshStore(store -> {
            List<VectorRecord> batch = new ArrayList<>(ScenarioDataset.records());
            // a declared year must be a number; where the year is undeclared, a NaN is still no value
            Object badYear = store.schema().field("publicationYear").isPresent() ? "2023" : Double.NaN;
            VectorRecord bad = new VectorRecord("BAD", ScenarioDataset.vectorFor("BAD", ScenarioDataset.DIMENSION),
                    "bad", badYear instanceof String ? Metadata.of("customer", "CustomerA", "documentType", "note",
                    "publicationYear", badYear) : Metadata.of("customer", "CustomerA", "documentType", "note"));
            batch.add(bad);
            VectorRecord missingRequired = new VectorRecord("NOTYPE", ScenarioDataset.vectorFor("x", ScenarioDataset.DIMENSION),
                    "x", Metadata.of("customer", "CustomerA"));
            assertThatThrownBy(() -> store.upsert(List.of(ScenarioDataset.records().get(0), missingRequired)))
                    .isInstanceOf(InvalidRecordException.class).hasMessageContaining("documentType");
            VectorRecord wrongDimension = new VectorRecord("DIM", new float[] {1, 0, 0}, "x",
                    Metadata.of("customer", "CustomerA", "documentType", "note"));
            assertThatThrownBy(() -> store.upsert(List.of(wrongDimension))).isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining("dimension");
            VectorRecord zero = new VectorRecord("ZERO", new float[ScenarioDataset.DIMENSION], "x",
                    Metadata.of("customer", "CustomerA", "documentType", "note"));
            assertThatThrownBy(() -> store.upsert(List.of(zero))).isInstanceOf(InvalidRecordException.class);
            assertThat(store.search(ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION), ALL_K)).isEmpty();
        });
    }

    @Test
    void deleteByIdsRemovesExactlyThose() {
        fixture.withFreshScenario(store -> {
            long deleted = store.delete(List.of("A-C001", "B-S001", "does-not-exist"));
            assertThat(deleted).isEqualTo(2);
            Set<String> expected = new HashSet<>(ScenarioDataset.ids());
            expected.removeAll(Set.of("A-C001", "B-S001"));
            assertThat(ids(store.search(ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION), ALL_K)))
                    .containsExactlyInAnyOrderElementsOf(expected);
        });
    }

    @Test
    void deleteByIdsWithAFilterRemovesOnlyMatches() {
        fixture.withFreshScenario(store -> {
            long deleted = store.delete(List.of("A-C001", "B-S001"), Filters.eq("customer", "CustomerB"));
            assertThat(deleted).isEqualTo(1);
            assertThat(ids(store.search(ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION), ALL_K)))
                    .contains("A-C001").doesNotContain("B-S001");
        });
    }

    @Test
    void aGuardedUpsertNeverReplacesARecordOutsideTheGuard() {
        fixture.withFreshScenario(store -> {
            VectorRecord theirs = ScenarioDataset.byId().get("B-S001");
            VectorRecord mine = new VectorRecord(theirs.id(), theirs.vector(), "overwritten",
                    Metadata.of("customer", "CustomerA", "documentType", "note"));
            VectorRecord fresh = new VectorRecord("A-NEW", ScenarioDataset.vectorFor("A-NEW", ScenarioDataset.DIMENSION),
                    "new", Metadata.of("customer", "CustomerA", "documentType", "note"));
            assertThatThrownBy(() -> store.upsert(List.of(fresh, mine), Filters.eq("customer", "CustomerA")))
                    .isInstanceOf(WriteConflictException.class).hasMessageContaining("B-S001");
            List<SearchHit> hit = store.search(theirs.vector(), 1);
            assertThat(hit.get(0).id()).isEqualTo("B-S001");
            assertThat(hit.get(0).text()).isEqualTo(theirs.text());
            assertThat(ids(store.search(theirs.vector(), ALL_K))).doesNotContain("A-NEW");
            // a guarded upsert may replace what the guard allows
            VectorRecord own = ScenarioDataset.byId().get("A-C001");
            store.upsert(List.of(new VectorRecord(own.id(), own.vector(), "mine", own.metadata())),
                    Filters.eq("customer", "CustomerA"));
            assertThat(store.search(own.vector(), 1).get(0).text()).isEqualTo("mine");
        });
    }

    /**
     * Integers where 64-bit floats stop being exact: ±(2^53 − 1) is exact everywhere and never refused; ±2^53,
     * ±(2^53 + 1) and the ends of the long range either compare exactly (as the reference does) or are refused with
     * a typed error before any request — never a wrong answer.
     */
    @Test
    void integersAtTheEdgeOfDoublePrecisionCompareExactlyOrAreRefused() {
        long safe = (1L << 53) - 1;
        List<Long> edges = List.of(safe, -safe, safe + 1, -(safe + 1), safe + 2, -(safe + 2), Long.MIN_VALUE,
                Long.MAX_VALUE);
        fixture.withFreshStore(store -> {
            List<VectorRecord> records = new ArrayList<>();
            Object[][] values = {{safe, 9007199254740992.0}, {-safe, -9007199254740992.0}, {safe - 1, 0.5}, {0L, null}};
            for (int i = 0; i < values.length; i++) {
                Metadata m = Metadata.of("customer", "CustomerA", "documentType", "note", "publicationYear", values[i][0]);
                if (values[i][1] != null) {
                    m = m.with("confidence", new DoubleValue((Double) values[i][1]));
                }
                records.add(new VectorRecord("E" + i, ScenarioDataset.vectorFor("E" + i, ScenarioDataset.DIMENSION),
                        "edge " + i, m));
            }
            store.upsert(records);
            float[] query = ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION);
            for (String field : List.of("publicationYear", "confidence")) {
                for (long edge : edges) {
                    for (Filter f : List.of(Filters.eq(field, edge), Filters.ne(field, edge), Filters.gt(field, edge),
                            Filters.gte(field, edge), Filters.lt(field, edge), Filters.lte(field, edge),
                            Filters.in(field, edge, 0), Filters.not(Filters.lte(field, edge)))) {
                        List<String> expected = records.stream().filter(r -> f.test(r.metadata()))
                                .map(VectorRecord::id).toList();
                        try {
                            assertThat(ids(store.search(query, ALL_K, f))).as("%s", f)
                                    .containsExactlyInAnyOrderElementsOf(expected);
                        } catch (UnsupportedFilterException refused) {
                            if (!(f instanceof Filter.Not && Declines.isByDesign(store, refused))) {
                                assertThat(Math.abs((double) edge)).as("refused %s: %s", f, refused.getMessage())
                                        .isGreaterThan((double) safe);
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * Where the schema allows undeclared fields, one key may hold a value of a different kind in each record, a key
     * may contain a dot beside its prefix, and {@code []} is no value: every filter answers as the reference does, or
     * is refused before the backend as one the backend cannot state. Skipped (trivially passing) where the schema
     * declares every field.
     */
    @Test
    void undeclaredFieldsKeepEachValuesOwnKind() {
        fixture.withFreshStore(store -> {
            if (!store.schema().allowsUndeclared()) {
                return;
            }
            Object[] kinds = {"2", 2L, 2.0, 2.5, true, List.of("2", "x"), List.of("y"), List.of(), "", -7L};
            List<VectorRecord> records = new ArrayList<>();
            for (int i = 0; i < kinds.length + 1; i++) {
                Map<String, Object> m = new LinkedHashMap<>(Map.of("customer", "CustomerA", "documentType", "note"));
                if (i < kinds.length) {
                    m.put("mixed", kinds[i]);
                    m.put(i % 2 == 0 ? "config" : "config.setting", kinds[i]);
                }
                records.add(new VectorRecord("K" + i, ScenarioDataset.vectorFor("K" + i, ScenarioDataset.DIMENSION),
                        "kind " + i, Metadata.of(m)));
            }
            store.upsert(records);
            for (VectorRecord r : records) {
                assertSameValues(store.search(r.vector(), 1).get(0).metadata(), r.metadata());
            }
            float[] query = ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION);
            List<Filter> filters = new ArrayList<>();
            for (String field : List.of("mixed", "config", "config.setting")) {
                for (Object v : List.of("2", 2L, 2.0, true, "x", "")) {
                    filters.add(Filters.eq(field, v));
                    filters.add(Filters.ne(field, v));
                }
                filters.add(Filters.in(field, "2", "y"));
                filters.add(Filters.nin(field, "2", "y"));
                filters.add(Filters.in(field, 2L, 2.5));
                filters.add(Filters.gt(field, 1));
                filters.add(Filters.lte(field, 2.0));
                filters.add(Filters.not(Filters.gt(field, 1)));
                filters.add(Filters.exists(field));
                filters.add(Filters.missing(field));
            }
            for (Filter f : filters) {
                List<String> expected = records.stream().filter(r -> f.test(r.metadata())).map(VectorRecord::id)
                        .toList();
                try {
                    assertThat(ids(store.search(query, ALL_K, f))).as("%s", f)
                            .containsExactlyInAnyOrderElementsOf(expected);
                } catch (UnsupportedFilterException refused) {
                    assertThat(refused.backend()).as("%s refused: %s", f, refused.getMessage()).isNotEmpty();
                }
            }
        });
    }

    /** A store does what its capabilities claim, exactly, and refuses what they do not. */
    @Test
    void capabilitiesAreHonest() {
        fixture.withFreshScenario(store -> {
            Filter f = Filters.eq("customer", "CustomerA");
            List<String> matching = ScenarioDataset.records().stream().filter(r -> f.test(r.metadata()))
                    .map(VectorRecord::id).toList();
            float[] query = ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION);
            if (store.capabilities().contains(Capability.COUNT)) {
                assertThat(store.count(f)).isEqualTo(matching.size());
            } else {
                assertThatThrownBy(() -> store.count(f)).isInstanceOf(UnsupportedCapabilityException.class);
            }
            if (store.capabilities().contains(Capability.DELETE_WHERE)) {
                assertThat(store.deleteWhere(f)).isEqualTo(matching.size());
                assertThat(ids(store.search(query, ALL_K))).hasSize(ScenarioDataset.records().size() - matching.size())
                        .doesNotContainAnyElementsOf(matching);
            } else {
                assertThatThrownBy(() -> store.deleteWhere(f)).isInstanceOf(UnsupportedCapabilityException.class);
                assertThat(ids(store.search(query, ALL_K))).hasSize(ScenarioDataset.records().size());
            }
        });
    }

    // ---- helpers for subclasses and the other contracts ----


    /**
     * The same fields with the same values, numbers compared by value ({@code 1 == 1.0}, docs/semantics.md): a backend
     * that keeps every number as a 64-bit float reads an undeclared {@code 1.0} back as {@code 1}.
     */
    public static void assertSameValues(Metadata actual, Metadata expected) {
        assertThat(actual.fields()).as("fields of %s", actual).isEqualTo(expected.fields());
        for (String field : expected.fields()) {
            MetadataValue a = actual.get(field).orElseThrow();
            MetadataValue e = expected.get(field).orElseThrow();
            boolean same = a instanceof NumberValue n && e instanceof NumberValue m ? n.numericallyEquals(m) : a.equals(e);
            assertThat(same).as("'%s': %s read back as %s", field, e, a).isTrue();
        }
    }

    static List<String> ids(List<SearchHit> hits) {
        return hits.stream().map(SearchHit::id).toList();
    }

    /**
     * Runs {@code check} when the store has the capability; otherwise asserts that the operation is refused
     * with {@link UnsupportedCapabilityException} instead of passing silently.
     */
    static void ifSupported(VectorStore store, Capability capability, Supplier<Filter> filter,
                            Consumer<Filter> operation, Runnable check) {
        if (store.capabilities().contains(capability)) {
            check.run();
        } else {
            assertThatThrownBy(() -> operation.accept(filter.get()))
                    .isInstanceOf(UnsupportedCapabilityException.class);
        }
    }

}

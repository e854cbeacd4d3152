package dev.portafilter.conformance;

import dev.portafilter.core.InvalidFilterException;
import dev.portafilter.core.PortafilterException;
import dev.portafilter.core.TenantIsolationException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.filter.ReferenceEvaluator;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.store.Capability;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.tenant.TenantScope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tenant isolation through {@link TenantScope}: a tenant view never returns, counts, deletes or overwrites
 * another tenant's record, under adversarial filters, hostile writes and concurrent use.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class TenantIsolationContract implements ConformanceContract {
    private static final String A = ScenarioDataset.CUSTOMER_A;
    private static final String B = ScenarioDataset.CUSTOMER_B;

    private StoreFixture fixture;
    private VectorStore shared;

    /** The backend under test. */
    protected abstract StoreFixture fixture();

    @BeforeAll
    void load() {
        fixture = fixture();
        shared = fixture.newStore(ScenarioDataset.SCHEMA, ScenarioDataset.DIMENSION);
        shared.upsert(ScenarioDataset.records());
    }

    @AfterAll
    void dispose() {
        if (shared != null) {
            fixture.dispose(shared);
        }
    }

    /** Filters written to escape a tenant scope; each must be refused or confined to the tenant. */
    public static List<String> adversarialFilters() {
        List<String> filters = new ArrayList<>(List.of(
                "{\"customer\":\"CustomerB\"}",
                "{\"customer\":{\"$ne\":\"CustomerA\"}}",
                "{\"customer\":{\"$in\":[\"CustomerA\",\"CustomerB\"]}}",
                "{\"customer\":{\"$exists\":true}}",
                "{\"$not\":{\"customer\":\"CustomerA\"}}",
                "{\"$or\":[{\"customer\":\"CustomerB\"},{\"region\":\"US\"}]}",
                "{\"Customer\":\"CustomerB\"}",
                "{\"CUSTOMER\":\"CustomerB\"}",
                "{\" customer\":\"CustomerB\"}",
                "{\"customer \":\"CustomerB\"}",
                "{\"cus\\u200btomer\":\"CustomerB\"}",
                "{\"\\uff43\\uff55\\uff53\\uff54\\uff4f\\uff4d\\uff45\\uff52\":\"CustomerB\"}",
                "{\"\\u0441ustomer\":\"CustomerB\"}",
                "{\"$or\":[{\"patientIds\":\"P001\"},{\"region\":\"UK\"}]}",
                "{\"$or\":[{\"focus\":\"CustomerB\"},{\"documentType\":\"genetic-test\"}]}",
                "{\"$not\":{\"region\":\"US\"}}",
                "{\"$not\":{\"$and\":[{\"region\":\"US\"},{\"focus\":\"HIPAA\"}]}}",
                "{\"focus\":{\"$ne\":\"HIPAA\"}}",
                "{\"documentType\":{\"$nin\":[\"case-report\"]}}",
                "{\"region\":\"' OR '1'='1\"}",
                "{\"region\":{\"$ne\":\"' OR customer <> 'CustomerA\"}}",
                "{\"focus\":\"\\\") OR true --\"}",
                "{\"focus\":\"x'; DROP TABLE records; --\"}",
                "{\"region\":\"\\\\\"}",
                "{\"region\":\"\\u0000\"}",
                "{\"focus\":{\"$in\":[\"*\",\"%\",\"_\",\".*\"]}}",
                "{\"region\\\" OR 1=1 --\":\"US\"}",
                "{\"region'; --\":\"US\"}"));
        // a huge $in of the other tenant's values
        String huge = IntStream.range(0, 5000).mapToObj(i -> "\"v" + i + "\"").collect(Collectors.joining(","));
        filters.add("{\"documentType\":{\"$in\":[\"genetic-test\",\"guidance\"," + huge + "]}}");
        // deep nesting of negations around a field that is not the tenant's
        String deep = "{\"region\":\"UK\"}";
        for (int i = 0; i < 30; i++) {
            deep = (i % 2 == 0) ? "{\"$not\":" + deep + "}" : "{\"$and\":[" + deep + ",{\"region\":{\"$exists\":true}}]}";
        }
        filters.add(deep);
        return filters;
    }

    @TestFactory
    Stream<DynamicTest> adversarialFiltersNeverLeak() {
        TenantScope scope = TenantScope.of(shared, ScenarioDataset.TENANT_FIELD);
        return adversarialFilters().stream().flatMap(json -> Stream.of(A, B).map(tenant ->
                DynamicTest.dynamicTest(tenant + " " + abbreviate(json), () -> {
                    VectorStore view = scope.forTenant(tenant);
                    Filter filter;
                    try {
                        filter = FilterJson.parse(json);
                    } catch (PortafilterException refused) {
                        return;
                    }
                    Set<String> expected = ScenarioDataset.records().stream()
                            .filter(r -> tenantOf(r).equals(tenant) && ReferenceEvaluator.matches(filter, r.metadata()))
                            .map(VectorRecord::id).collect(Collectors.toSet());
                    List<SearchHit> hits;
                    try {
                        hits = view.search(ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION), 100, filter);
                    } catch (TenantIsolationException | InvalidFilterException refused) {
                        assertThatThrownBy(() -> view.count(filter)).isInstanceOf(PortafilterException.class);
                        assertThatThrownBy(() -> view.deleteWhere(filter)).isInstanceOf(PortafilterException.class);
                        return;
                    }
                    assertThat(hits).allSatisfy(h -> assertThat(tenantOf(h))
                            .as("LEAK: record %s of tenant %s returned to tenant %s by %s", h.id(), tenantOf(h), tenant, json)
                            .isEqualTo(tenant));
                    assertThat(hits).extracting(SearchHit::id).containsExactlyInAnyOrderElementsOf(expected);
                    if (view.capabilities().contains(Capability.COUNT)) {
                        assertThat(view.count(filter)).isEqualTo(expected.size());
                    }
                })));
    }

    @Test
    void filtersNamingTheTenantFieldAreRefused() {
        VectorStore view = TenantScope.of(shared, ScenarioDataset.TENANT_FIELD).forTenant(A);
        for (Filter f : List.of(Filters.eq("customer", B), Filters.not(Filters.eq("customer", A)),
                Filters.or(Filters.eq("region", "US"), Filters.ne("customer", A)))) {
            assertThatThrownBy(() -> view.search(ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION), 10, f))
                    .isInstanceOf(TenantIsolationException.class);
            assertThatThrownBy(() -> view.count(f)).isInstanceOf(TenantIsolationException.class);
            assertThatThrownBy(() -> view.deleteWhere(f)).isInstanceOf(TenantIsolationException.class);
        }
    }

    @Test
    void unfilteredReadsSeeOnlyTheTenant() {
        TenantScope scope = TenantScope.of(shared, ScenarioDataset.TENANT_FIELD);
        for (String tenant : List.of(A, B)) {
            VectorStore view = scope.forTenant(tenant);
            List<SearchHit> hits = view.search(ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION), 100);
            assertThat(hits).extracting(SearchHit::id)
                    .containsExactlyInAnyOrderElementsOf(ScenarioDataset.idsOf(tenant));
            if (view.capabilities().contains(Capability.COUNT)) {
                assertThat(view.count()).isEqualTo(ScenarioDataset.idsOf(tenant).size());
            }
        }
        assertThat(scope.forTenant("CustomerC").search(ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION), 100))
                .isEmpty();
    }

    @Test
    void deletesThroughAViewNeverTouchAnotherTenant() {
        fixture.withFreshScenario(store -> {
            TenantScope scope = TenantScope.of(store, ScenarioDataset.TENANT_FIELD);
            VectorStore a = scope.forTenant(A);
            assertThat(a.delete(ScenarioDataset.idsOf(B))).isZero();
            if (a.capabilities().contains(Capability.DELETE_WHERE)) {
                assertThat(a.deleteWhere(Filters.eq("documentType", "genetic-test"))).isZero();
                assertThat(a.deleteWhere(Filters.ne("documentType", "nothing"))).isEqualTo(ScenarioDataset.idsOf(A).size());
            } else {
                assertThat(a.delete(ScenarioDataset.idsOf(A))).isEqualTo(ScenarioDataset.idsOf(A).size());
            }
            assertThat(scope.forTenant(B).search(ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION), 100))
                    .extracting(SearchHit::id).containsExactlyInAnyOrderElementsOf(ScenarioDataset.idsOf(B));
            assertThat(a.search(ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION), 100)).isEmpty();
        });
    }

    @Test
    void writesThroughAViewAreStampedAndCannotEnterAnotherTenant() {
        fixture.withFreshScenario(store -> {
            TenantScope scope = TenantScope.of(store, ScenarioDataset.TENANT_FIELD);
            VectorStore a = scope.forTenant(A);
            VectorStore b = scope.forTenant(B);
            VectorRecord unstamped = record("A-NEW", Metadata.of("documentType", "note"));
            VectorRecord foreign = record("A-EVIL", Metadata.of("customer", B, "documentType", "note"));
            assertThatThrownBy(() -> a.upsert(List.of(unstamped, foreign))).isInstanceOf(TenantIsolationException.class);
            assertThat(ids(a)).doesNotContain("A-NEW", "A-EVIL");
            assertThat(ids(b)).doesNotContain("A-NEW", "A-EVIL");

            a.upsert(List.of(unstamped));
            assertThat(ids(a)).contains("A-NEW");
            assertThat(ids(b)).doesNotContain("A-NEW");

            // The same id as another tenant's record must never overwrite it. A shared table refuses the write;
            // a store with a physical partition per tenant (Pinecone namespaces) may accept it as the tenant's own
            // record, because ids are per partition there.
            VectorRecord hijack = record("B-S001", Metadata.of("documentType", "note"));
            boolean accepted;
            try {
                a.upsert(List.of(hijack));
                accepted = true;
            } catch (TenantIsolationException refused) {
                accepted = false;
            }
            SearchHit theirs = b.search(ScenarioDataset.byId().get("B-S001").vector(), 1).get(0);
            assertThat(theirs.id()).isEqualTo("B-S001");
            assertThat(theirs.text()).isEqualTo(ScenarioDataset.byId().get("B-S001").text());
            assertThat(tenantOf(theirs)).isEqualTo(B);
            if (accepted) {
                SearchHit mine = a.search(hijack.vector(), 1).get(0);
                assertThat(mine.id()).isEqualTo("B-S001");
                assertThat(mine.text()).isEqualTo(hijack.text());
                assertThat(tenantOf(mine)).isEqualTo(A);
            } else {
                assertThat(ids(a)).doesNotContain("B-S001");
            }
        });
    }

    @Test
    void aViewCannotBeNarrowedToAnotherTenant() {
        VectorStore a = TenantScope.of(shared, ScenarioDataset.TENANT_FIELD).forTenant(A);
        assertThatThrownBy(() -> a.partitionForTenant(ScenarioDataset.TENANT_FIELD, B))
                .isInstanceOf(TenantIsolationException.class);
        assertThatThrownBy(() -> TenantScope.of(a, ScenarioDataset.TENANT_FIELD).forTenant(B))
                .isInstanceOf(TenantIsolationException.class);
    }

    @Test
    void concurrentTenantsSeeOnlyTheirOwnRecords() throws Exception {
        fixture.withFreshStore(store -> {
            TenantScope scope = TenantScope.of(store, ScenarioDataset.TENANT_FIELD);
            List<String> tenants = List.of("T1", "T2", "T3", "T4");
            Map<String, Set<String>> written = new ConcurrentHashMap<>();
            List<String> leaks = Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (String tenant : tenants) {
                    for (int worker = 0; worker < 2; worker++) {
                        int w = worker;
                        futures.add(pool.submit(() -> {
                            VectorStore view = scope.forTenant(tenant);
                            Set<String> mine = written.computeIfAbsent(tenant, k -> ConcurrentHashMap.newKeySet());
                            for (int i = 0; i < 12; i++) {
                                String id = tenant + "-" + w + "-" + i;
                                view.upsert(List.of(record(id, Metadata.of("documentType", "note",
                                        "publicationYear", i))));
                                mine.add(id);
                                if (i % 4 == 3) {
                                    String gone = tenant + "-" + w + "-" + (i - 1);
                                    view.delete(List.of(gone));
                                    mine.remove(gone);
                                }
                                for (SearchHit h : view.search(ScenarioDataset.vectorFor(id, ScenarioDataset.DIMENSION),
                                        20)) {
                                    if (!tenant.equals(tenantOf(h))) {
                                        leaks.add("LEAK: record " + h.id() + " of tenant " + tenantOf(h)
                                                + " returned to tenant " + tenant);
                                    }
                                }
                            }
                            return null;
                        }));
                    }
                }
                for (Future<?> f : futures) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            } finally {
                pool.shutdownNow();
            }
            assertThat(leaks).isEmpty();
            for (String tenant : tenants) {
                assertThat(ids(scope.forTenant(tenant))).containsExactlyInAnyOrderElementsOf(written.get(tenant));
            }
        });
    }


    private static List<String> ids(VectorStore view) {
        return view.search(ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION), 200).stream()
                .map(SearchHit::id).toList();
    }

    private static VectorRecord record(String id, Metadata metadata) {
        return new VectorRecord(id, ScenarioDataset.vectorFor(id, ScenarioDataset.DIMENSION), "text of " + id, metadata);
    }

    private static String tenantOf(VectorRecord r) {
        return r.metadata().get(ScenarioDataset.TENANT_FIELD).map(v -> (String) v.toJava()).orElse("");
    }

    private static String tenantOf(SearchHit h) {
        return h.metadata().get(ScenarioDataset.TENANT_FIELD).map(v -> (String) v.toJava()).orElse("");
    }

    private static String abbreviate(String s) {
        return s.length() > 90 ? s.substring(0, 87) + "..." : s;
    }
}

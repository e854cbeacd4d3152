package dev.portafilter.crossbackend;

import dev.portafilter.conformance.AdversarialFilters;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.core.PortafilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.filter.ReferenceEvaluator;
import dev.portafilter.core.metadata.MetadataValue;
import dev.portafilter.core.store.Capability;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.tenant.TenantScope;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated filters built to escape a tenant scope, through a tenant view on every backend: each is refused with a
 * typed error or returns exactly the reference answer within the tenant. Zero leaks is the only passing result.
 */
class AdversarialIsolationTest {
    private static final Map<StoreFixture, VectorStore> STORES = new LinkedHashMap<>();
    private static final Map<String, int[]> TALLY = new LinkedHashMap<>();

    @BeforeContainer
    static void load() {
        for (StoreFixture fixture : Backends.all()) {
            VectorStore store = fixture.newStore(ScenarioDataset.SCHEMA, ScenarioDataset.DIMENSION);
            STORES.put(fixture, store);
            store.upsert(ScenarioDataset.records());
        }
    }

    @AfterContainer
    static void dispose() {
        TALLY.forEach((backend, t) -> System.out.printf("[adversarial] %s: %d escape attempts answered within the "
                + "tenant, %d refused with a typed error, %d leaks%n", backend, t[0], t[1], t[2]));
        STORES.forEach(StoreFixture::dispose);
        STORES.clear();
        assertThat(TALLY.values()).allSatisfy(t -> assertThat(t[0]).as("answered attempts").isPositive());
    }

    @Provide
    Arbitrary<Filter> escapes() {
        return AdversarialFilters.filters();
    }

    @Property(tries = 200, seed = "7")
    void noFilterLeaksAnotherTenantsRecord(@ForAll("escapes") Filter filter) {
        float[] query = ScenarioDataset.vectorFor("q", ScenarioDataset.DIMENSION);
        List<String> leaks = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        for (String tenant : List.of(ScenarioDataset.CUSTOMER_A, ScenarioDataset.CUSTOMER_B)) {
            Set<String> expected = ScenarioDataset.records().stream()
                    .filter(r -> tenant.equals(owner(r.metadata().get(ScenarioDataset.TENANT_FIELD).orElse(null))))
                    .filter(r -> ReferenceEvaluator.matches(filter, r.metadata()))
                    .map(VectorRecord::id).collect(Collectors.toSet());
            for (Map.Entry<StoreFixture, VectorStore> e : STORES.entrySet()) {
                int[] t = TALLY.computeIfAbsent(e.getKey().name(), k -> new int[3]);
                VectorStore view = TenantScope.of(e.getValue(), ScenarioDataset.TENANT_FIELD).forTenant(tenant);
                List<SearchHit> hits;
                try {
                    hits = view.search(query, 100, filter);
                } catch (PortafilterException refused) {
                    t[1]++;
                    continue;
                }
                t[0]++;
                for (SearchHit h : hits) {
                    Object owner = owner(h.metadata().get(ScenarioDataset.TENANT_FIELD).orElse(null));
                    if (!tenant.equals(owner)) {
                        t[2]++;
                        leaks.add(e.getKey().name() + ": " + tenant + " saw " + h.id() + " of " + owner);
                    }
                }
                Set<String> found = hits.stream().map(SearchHit::id).collect(Collectors.toSet());
                if (!found.equals(expected)
                        || view.capabilities().contains(Capability.COUNT) && view.count(filter) != expected.size()) {
                    wrong.add(e.getKey().name() + " " + tenant + ": expected " + expected + ", found " + found);
                }
            }
        }
        assertThat(leaks).as(FilterJson.write(filter)).isEmpty();
        assertThat(wrong).as(FilterJson.write(filter)).isEmpty();
    }

    private static Object owner(MetadataValue value) {
        return value == null ? null : value.toJava();
    }
}

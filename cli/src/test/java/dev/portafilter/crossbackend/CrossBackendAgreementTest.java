package dev.portafilter.crossbackend;

import dev.portafilter.conformance.RandomScenario;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.core.UnsupportedFilterException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.FilterJson;
import dev.portafilter.core.filter.ReferenceEvaluator;
import dev.portafilter.core.store.Capability;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
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
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same seeded random filters over the same data on every backend at once: every backend must return exactly the
 * reference evaluator's ids, by search and by count. Prints how many filters each backend was given.
 */
class CrossBackendAgreementTest {
    private static final long DATA_SEED = 20261125L;
    private static final int EXTRA_RECORDS = 150;
    private static final Map<StoreFixture, VectorStore> STORES = new LinkedHashMap<>();
    private static final Map<String, int[]> TALLY = new LinkedHashMap<>();
    private static List<VectorRecord> data;

    @BeforeContainer
    static void load() {
        data = RandomScenario.records(DATA_SEED, EXTRA_RECORDS);
        for (StoreFixture fixture : Backends.all()) {
            VectorStore store = fixture.newStore(ScenarioDataset.SCHEMA, ScenarioDataset.DIMENSION);
            STORES.put(fixture, store);
            store.upsert(data);
        }
    }

    @AfterContainer
    static void dispose() {
        TALLY.forEach((backend, t) -> System.out.printf("[differential] %s: %d random filters compared with the "
                + "reference, %d refused with a typed error%n", backend, t[0], t[1]));
        STORES.forEach(StoreFixture::dispose);
        STORES.clear();
    }

    @Provide
    Arbitrary<Filter> filters() {
        return RandomScenario.filters(4);
    }

    @Property(tries = 300, seed = "20261125")
    void everyBackendReturnsTheReferenceIds(@ForAll("filters") Filter filter) {
        Set<String> expected = data.stream().filter(r -> ReferenceEvaluator.matches(filter, r.metadata()))
                .map(VectorRecord::id).collect(Collectors.toCollection(TreeSet::new));
        float[] query = ScenarioDataset.vectorFor("query", ScenarioDataset.DIMENSION);
        List<String> disagreements = new ArrayList<>();
        for (Map.Entry<StoreFixture, VectorStore> e : STORES.entrySet()) {
            String backend = e.getKey().name();
            int[] t = TALLY.computeIfAbsent(backend, k -> new int[2]);
            VectorStore store = e.getValue();
            try {
                Set<String> found = store.search(query, data.size(), filter).stream().map(SearchHit::id)
                        .collect(Collectors.toCollection(TreeSet::new));
                t[0]++;
                if (!found.equals(expected)) {
                    disagreements.add(backend + " search: missing " + minus(expected, found) + ", unexpected "
                            + minus(found, expected));
                }
                if (store.capabilities().contains(Capability.COUNT) && store.count(filter) != expected.size()) {
                    disagreements.add(backend + " count: " + store.count(filter) + " instead of " + expected.size());
                }
            } catch (UnsupportedFilterException refused) {
                t[1]++;
            }
        }
        assertThat(disagreements).as(FilterJson.write(filter)).isEmpty();
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.removeAll(b);
        return out;
    }
}

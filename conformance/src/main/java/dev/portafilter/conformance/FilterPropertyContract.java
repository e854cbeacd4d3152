package dev.portafilter.conformance;

import java.util.function.Supplier;
import net.jqwik.api.Assume;
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
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property tests: for random filters over random records, the store's search (k ≥ matches), count and
 * deleteWhere equal the reference evaluator. jqwik prints the seed of a failing run, and shrinks the filter.
 */
public abstract class FilterPropertyContract implements ConformanceContract {
    /** The dataset's seed; the filters' seed is jqwik's own and printed on failure. */
    protected static final long DATA_SEED = 20261125L;
    protected static final int EXTRA_RECORDS = 60;

    private StoreFixture fixture;
    private VectorStore store;
    private List<VectorRecord> data;

    /** The backend under test. */
    protected abstract StoreFixture fixture();

    @BeforeProperty
    void load() {
        fixture = fixture();
        store = fixture.newStore(ScenarioDataset.SCHEMA, ScenarioDataset.DIMENSION);
        data = RandomScenario.records(DATA_SEED, EXTRA_RECORDS);
        store.upsert(data);
    }

    @AfterProperty
    void dispose() {
        if (store != null) {
            fixture.dispose(store);
        }
    }

    @Provide
    Arbitrary<Filter> filters() {
        return RandomScenario.filters(3);
    }

    @Property(tries = 150)
    void searchEqualsReference(@ForAll("filters") Filter filter) {
        List<SearchHit> hits = answered(() -> store.search(ScenarioDataset.vectorFor("query",
                ScenarioDataset.DIMENSION), data.size() + 10, filter));
        assertThat(hits.stream().map(SearchHit::id).collect(Collectors.toSet()))
                .as(FilterJson.write(filter))
                .isEqualTo(expected(filter));
    }

    @Property(tries = 150)
    void countEqualsReference(@ForAll("filters") Filter filter) {
        if (!store.capabilities().contains(Capability.COUNT)) {
            return;
        }
        assertThat(answered(() -> store.count(filter))).as(FilterJson.write(filter)).isEqualTo(expected(filter).size());
    }

    @Property(tries = 40)
    void deleteWhereEqualsReference(@ForAll("filters") Filter filter) {
        if (!store.capabilities().contains(Capability.DELETE_WHERE)) {
            return;
        }
        Set<String> expected = expected(filter);
        long deleted = answered(() -> store.deleteWhere(filter));
        List<SearchHit> remaining = store.search(ScenarioDataset.vectorFor("query", ScenarioDataset.DIMENSION),
                data.size() + 10);
        // restore before asserting, so one failure does not cascade into the next tries
        store.upsert(data.stream().filter(r -> expected.contains(r.id())).toList());
        assertThat(deleted).as(FilterJson.write(filter)).isEqualTo(expected.size());
        Set<String> survivors = data.stream().map(VectorRecord::id).filter(id -> !expected.contains(id))
                .collect(Collectors.toSet());
        assertThat(remaining.stream().map(SearchHit::id).collect(Collectors.toSet())).as(FilterJson.write(filter))
                .isEqualTo(survivors);
    }

    /** The store's answer; a filter declined by design ({@link Declines}) is no try of the property. */
    private <T> T answered(Supplier<T> call) {
        try {
            return call.get();
        } catch (UnsupportedFilterException e) {
            if (!Declines.isByDesign(store, e)) {
                throw e;
            }
            Assume.that(false);
            throw e;
        }
    }

    private Set<String> expected(Filter filter) {
        return data.stream()
                .filter(r -> ReferenceEvaluator.matches(filter, r.metadata()))
                .map(VectorRecord::id)
                .collect(Collectors.toSet());
    }
}

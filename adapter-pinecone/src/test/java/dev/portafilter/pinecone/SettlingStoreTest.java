package dev.portafilter.pinecone;

import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.store.ForwardingVectorStore;
import dev.portafilter.core.store.InMemoryVectorStore;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** The wait after a write, on a store whose searches see writes only some reads later. */
class SettlingStoreTest {
    private static final int DIM = ScenarioDataset.DIMENSION;
    private static final float[] QUERY = ScenarioDataset.vectorFor("q", DIM);

    @Test
    void everyWriteReturnsOnceSearchesShowIt() {
        Lagging lagging = new Lagging(3);
        VectorStore store = new SettlingStore(lagging, Duration.ofSeconds(30));
        store.upsert(ScenarioDataset.records());
        assertThat(lagging.search(QUERY, 100)).hasSize(ScenarioDataset.records().size());

        VectorRecord old = ScenarioDataset.byId().get("B-S002");
        store.upsert(List.of(new VectorRecord(old.id(), old.vector(), "replaced", old.metadata())));
        assertThat(lagging.search(old.vector(), 1).get(0).text()).isEqualTo("replaced");

        assertThat(store.delete(List.of("A-C001", "B-S001"), Optional.of(Filters.eq("customer", "CustomerB"))))
                .isEqualTo(1);
        assertThat(ids(lagging.search(QUERY, 100))).contains("A-C001").doesNotContain("B-S001");

        long customerB = ScenarioDataset.idsOf("CustomerB").size() - 1;
        assertThat(store.deleteWhere(Filters.eq("customer", "CustomerB"))).isEqualTo(customerB);
        assertThat(lagging.search(QUERY, 100, Filters.eq("customer", "CustomerB"))).isEmpty();
    }

    @Test
    void aWriteThatNeverShowsIsLeftToTheTestsAssertionsAfterTheTimeout() {
        Lagging never = new Lagging(Integer.MAX_VALUE);
        long start = System.nanoTime();
        new SettlingStore(never, Duration.ofMillis(100)).upsert(ScenarioDataset.records());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(100), Duration.ofSeconds(20));
        assertThat(never.search(QUERY, 100)).isEmpty();
    }

    private static List<String> ids(List<SearchHit> hits) {
        return hits.stream().map(SearchHit::id).toList();
    }

    /**
     * Eventually consistent: a write lands at once in a primary store, which answers it, and in the store that
     * searches read only when a search is the lag-th since the last time it caught up.
     */
    private static final class Lagging extends ForwardingVectorStore {
        private final VectorStore primary = new InMemoryVectorStore(ScenarioDataset.SCHEMA, DIM);
        private final Deque<Consumer<VectorStore>> behind = new ArrayDeque<>();
        private final int lag;
        private int reads;

        Lagging(int lag) {
            super(new InMemoryVectorStore(ScenarioDataset.SCHEMA, DIM));
            this.lag = lag;
        }

        @Override
        public synchronized void upsert(List<VectorRecord> records, Optional<Filter> guard) {
            primary.upsert(records, guard);
            behind.add(replica -> replica.upsert(records, guard));
        }

        @Override
        public synchronized long delete(Collection<String> ids, Optional<Filter> filter) {
            behind.add(replica -> replica.delete(ids, filter));
            return primary.delete(ids, filter);
        }

        @Override
        public synchronized long deleteWhere(Filter filter) {
            behind.add(replica -> replica.deleteWhere(filter));
            return primary.deleteWhere(filter);
        }

        @Override
        public synchronized List<SearchHit> search(SearchRequest request) {
            if (++reads >= lag) {
                reads = 0;
                while (!behind.isEmpty()) {
                    behind.poll().accept(delegate());
                }
            }
            return super.search(request);
        }
    }
}

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
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

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

        assertThat(store.delete(List.of("A-C001", "B-S001"), Filters.eq("customer", "CustomerB")))
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
        public void upsert(List<VectorRecord> records) {
            writeEverywhere(store -> store.upsert(records));
        }

        @Override
        public void upsert(List<VectorRecord> records, Filter guard) {
            writeEverywhere(store -> store.upsert(records, guard));
        }

        @Override
        public long delete(Collection<String> ids) {
            return deleteEverywhere(store -> store.delete(ids));
        }

        @Override
        public long delete(Collection<String> ids, Filter filter) {
            return deleteEverywhere(store -> store.delete(ids, filter));
        }

        @Override
        public long deleteWhere(Filter filter) {
            return deleteEverywhere(store -> store.deleteWhere(filter));
        }

        /** Writes to the primary at once, and to the store that searches read once it catches up. */
        private synchronized void writeEverywhere(Consumer<VectorStore> write) {
            write.accept(primary);
            behind.add(write);
        }

        /** Deletes from the primary at once, and from the store that searches read once it catches up. */
        private synchronized long deleteEverywhere(ToLongFunction<VectorStore> delete) {
            behind.add(delete::applyAsLong);
            return delete.applyAsLong(primary);
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

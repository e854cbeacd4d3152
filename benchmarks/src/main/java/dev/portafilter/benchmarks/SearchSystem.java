package dev.portafilter.benchmarks;

import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorStore;

import java.util.List;

/**
 * One way of answering a filtered top-k query, loaded with the benchmark's rows. Searches are called from
 * several threads at once. {@link #close()} drops everything the system created.
 */
public interface SearchSystem extends AutoCloseable {

    /** The row heading in the report, e.g. {@code Portafilter}. */
    String name();

    /** {@code pgvector} or {@code opensearch}. */
    String backend();

    /** The ids of the top-{@code k} rows for query {@code query} of the dataset under the case's filter, best first. */
    List<String> search(int query, FilterCase filterCase, int k);

    @Override
    void close();

    /** A Portafilter store as a system; closing it runs {@code onClose}. */
    static SearchSystem ofStore(String name, String backend, VectorStore store, Dataset data, Runnable onClose) {
        return of(name, backend, (query, filterCase, k) -> portafilterSearch(store, data, query, filterCase, k), onClose);
    }

    /** How a system answers a query: {@link #search}. */
    @FunctionalInterface
    interface Answer {
        List<String> search(int query, FilterCase filterCase, int k);
    }

    /** A system that answers with {@code answer}; closing it runs {@code onClose}. */
    static SearchSystem of(String name, String backend, Answer answer, Runnable onClose) {
        return new SearchSystem() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String backend() {
                return backend;
            }

            @Override
            public List<String> search(int query, FilterCase filterCase, int k) {
                return answer.search(query, filterCase, k);
            }

            @Override
            public void close() {
                onClose.run();
            }
        };
    }

    /** How every Portafilter store answers: the portable filter as it is, the ids of the hits. */
    static List<String> portafilterSearch(VectorStore store, Dataset data, int query, FilterCase filterCase, int k) {
        return store.search(SearchRequest.of(data.query(query), k, filterCase.filter())).stream()
                .map(SearchHit::id).toList();
    }
}

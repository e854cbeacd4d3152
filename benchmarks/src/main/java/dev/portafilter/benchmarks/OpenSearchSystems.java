package dev.portafilter.benchmarks;

import dev.portafilter.core.metadata.MetadataSchema;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.opensearch.OpenSearchIndexLayout;
import dev.portafilter.opensearch.OpenSearchSearchPlan;
import dev.portafilter.opensearch.OpenSearchStore;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.Refresh;
import org.opensearch.client.opensearch._types.query_dsl.Query;
import org.opensearch.client.opensearch.core.search.Hit;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

import java.io.IOException;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One OpenSearch index loaded once, searched several ways: Portafilter's {@code OpenSearchStore} with its default
 * plan and with each plan fixed (exact {@code knn_score} script; the filter inside {@code knn}, OpenSearch's
 * "efficient filtering"), each a store object of its own over the same index; the same efficient-filter query sent
 * as JSON text by {@link RawOpenSearch}, for the store's client overhead; and the post-filter most tutorials write, a
 * {@code bool} whose {@code must} is the {@code knn} query and whose {@code filter} is the same translated filter.
 * The post-filter query sets no {@code ef_search}, as those tutorials do.
 */
final class OpenSearchSystems implements AutoCloseable {
    /** The store's default {@code ef_search} for its approximate plan, which the raw query sends too. */
    private static final int EF_SEARCH = 100;
    private final OpenSearchTransport transport;
    private final OpenSearchClient client;
    private final OpenSearchIndexLayout layout;
    private final OpenSearchStore store;
    private final Dataset data;
    /** The Portafilter system's name in the report. */
    private final String name;
    private double loadSeconds;
    private double mergeSeconds;
    /** Deletes the index when the run is stopped before {@link #close()} (Ctrl-C, kill). */
    private final Thread deleteOnExit;

    private OpenSearchSystems(OpenSearchTransport transport, OpenSearchClient client, OpenSearchIndexLayout layout,
                              OpenSearchStore store, Dataset data, String name) {
        this.name = name;
        this.transport = transport;
        this.client = client;
        this.layout = layout;
        this.store = store;
        this.data = data;
        this.deleteOnExit = new Thread(store::deleteIndex, "delete-" + layout.indexName());
        Runtime.getRuntime().addShutdownHook(deleteOnExit);
    }

    /**
     * Creates the index, loads every row with {@code bulkLoad} ({@code chunk} rows per call), refreshes and
     * force-merges to one segment.
     */
    static OpenSearchSystems load(String url, Dataset data, int chunk) {
        return load(url, data, chunk, Dataset.SCHEMA, "", Report.PORTAFILTER_OS);
    }

    /**
     * The same rows with no field declared: every value a key/value object of the nested field, every filter a
     * nested query. Measured side by side with the declared index, for the cost of the undeclared path.
     */
    static OpenSearchSystems loadUndeclared(String url, Dataset data, int chunk) {
        return load(url, data, chunk, Dataset.UNDECLARED, "-undeclared", Report.PORTAFILTER_OS_UNDECLARED);
    }

    private static OpenSearchSystems load(String url, Dataset data, int chunk, MetadataSchema schema,
                                          String indexSuffix, String name) {
        OpenSearchTransport transport;
        try {
            // a force merge of 100,000 vectors rebuilds the HNSW graph: minutes, not the default 30 s
            transport = ApacheHttpClient5TransportBuilder.builder(HttpHost.create(url))
                    .setMapper(new JacksonJsonpMapper())
                    .setRequestConfigCallback(r -> r.setResponseTimeout(Timeout.ofMinutes(30)))
                    .build();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not an OpenSearch URL: " + url, e);
        }
        OpenSearchClient client = new OpenSearchClient(transport);
        String index = "portafilter-bench-" + ProcessHandle.current().pid() + indexSuffix;
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(index, schema, data.dimension()).build();
        OpenSearchStore store = OpenSearchStore.builder(layout).client(client).refresh(Refresh.False).build();
        store.deleteIndex();
        store.createIndex();
        OpenSearchSystems systems = new OpenSearchSystems(transport, client, layout, store, data, name);
        try {
            Progress progress = Progress.rows(name + ": load", data.size());
            long start = System.nanoTime();
            for (int from = 0; from < data.size(); from += chunk) {
                int to = Math.min(data.size(), from + chunk);
                store.bulkLoad(data.records(from, to));
                progress.add(to - from);
            }
            systems.loadSeconds = (System.nanoTime() - start) / 1e9;
            start = System.nanoTime();
            client.indices().refresh(r -> r.index(index));
            // one segment, one HNSW graph: the facts file's setting, and what a static corpus ends up as
            client.indices().forcemerge(f -> f.index(index).maxNumSegments(1L));
            client.indices().refresh(r -> r.index(index));
            systems.mergeSeconds = (System.nanoTime() - start) / 1e9;
            return systems;
        } catch (IOException | RuntimeException e) {
            try {
                systems.close();
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new IllegalStateException("loading the OpenSearch index failed: " + e.getMessage(), e);
        }
    }

    /** Seconds the bulk load took, and the refresh and force merge after it. */
    double loadSeconds() {
        return loadSeconds;
    }

    double mergeSeconds() {
        return mergeSeconds;
    }

    /** The server's version, for the report. */
    String serverVersion() {
        try {
            return client.info().version().number();
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    SearchSystem portafilter() {
        return SearchSystem.ofStore(name, "opensearch", store, data, () -> {
        });
    }

    /** Another store over the same index with its plan fixed; closing it leaves the index and the client alone. */
    SearchSystem fixedPlan(String systemName, OpenSearchStore.SearchMode mode) {
        OpenSearchStore fixed = OpenSearchStore.builder(layout).client(client).searchMode(mode).build();
        return SearchSystem.ofStore(systemName, "opensearch", fixed, data, fixed::close);
    }

    /**
     * The store's efficient-filter query ({@link OpenSearchStore.SearchMode#APPROXIMATE}: the filter inside
     * {@code knn}, {@code ef_search} {@value #EF_SEARCH}, the vector left out of {@code _source}) as JSON text over
     * {@code java.net.http}: the same search without the store's client.
     */
    SearchSystem rawEfficientFilter(String url) {
        RawOpenSearch raw = new RawOpenSearch(url);
        Map<FilterCase, String> filters = new ConcurrentHashMap<>();
        return SearchSystem.of(Report.RAW_EFFICIENT, "opensearch", (query, filterCase, k) -> {
            String filter = filters.computeIfAbsent(filterCase, c -> store.translator().toJson(c.filter()));
            return raw.searchIds(layout.indexName(), RawOpenSearch.approximateBody(layout.vectorField(), filter,
                    data.query(query), k, Math.max(EF_SEARCH, k)));
        }, () -> {
        });
    }

    /** The plan the store chooses for each case ({@link OpenSearchStore#explainPlan}). */
    Map<String, String> plans(List<FilterCase> cases, int k) {
        Map<String, String> plans = new LinkedHashMap<>();
        for (FilterCase c : cases) {
            OpenSearchSearchPlan plan = store.explainPlan(c.filter(), k);
            plans.put(c.label(), String.format(Locale.ROOT, "%s (about %,d documents%s)", plan.strategy(),
                    plan.estimatedRows(), plan.strategy() == OpenSearchSearchPlan.Strategy.APPROXIMATE
                            ? ", ef_search " + plan.efSearch() : ""));
        }
        return plans;
    }

    SearchSystem postFilter() {
        Map<FilterCase, Query> filters = new ConcurrentHashMap<>();
        return new SearchSystem() {
            @Override
            public String name() {
                return "post-filter (bool around knn)";
            }

            @Override
            public String backend() {
                return "opensearch";
            }

            @Override
            public List<String> search(int query, FilterCase filterCase, int k) {
                Query filter = filters.computeIfAbsent(filterCase, c -> store.translator().translate(c.filter()));
                List<Float> vector = new ArrayList<>(data.dimension());
                for (float f : data.query(query)) {
                    vector.add(f);
                }
                Query knn = Query.of(q -> q.knn(n -> n.field(layout.vectorField()).vector(vector).k(k)));
                try {
                    return client.search(s -> s.index(layout.indexName()).size(k)
                                    .query(q -> q.bool(b -> b.must(knn).filter(filter)))
                                    .source(src -> src.filter(f -> f.excludes(layout.vectorField()))), ObjectNode.class)
                            .hits().hits().stream().map(Hit::id).toList();
                } catch (IOException e) {
                    throw new IllegalStateException("OpenSearch search failed: " + e.getMessage(), e);
                }
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void close() {
        Runtime.getRuntime().removeShutdownHook(deleteOnExit);
        try {
            store.deleteIndex();
        } finally {
            store.close();
            try {
                transport.close();
            } catch (IOException e) {
                System.err.println("[benchmark] closing the OpenSearch client: " + e.getMessage());
            }
        }
    }
}

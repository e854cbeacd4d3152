package dev.portafilter.benchmarks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.portafilter.opensearch.OpenSearchIndexLayout;
import dev.portafilter.opensearch.OpenSearchStore;
import dev.portafilter.peers.SpringAiOpenSearch;
import dev.portafilter.springai.SpringAiFilters;
import org.springframework.ai.document.Document;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.filter.Filter.Expression;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Spring AI 1.1.2's {@code OpenSearchVectorStore} with its defaults (exact scoring: the {@code knn_score} script
 * over a {@code query_string} filter on the dynamically mapped metadata), loaded with its own {@code add}; and, over
 * the same index, the query LangChain4j's OpenSearch store sends (the same exact script over {@code term} on the
 * {@code .keyword} subfields), as JSON text: {@code langchain4j-opensearch} does not resolve from the registry here.
 *
 * <p>Changed from its defaults, and why: the index is created beforehand, with the mapping Spring AI writes for
 * {@code useApproximateKnn(true)} (lucene HNSW, cosine; 1 shard, no replica as for every index here), because the
 * mapping of its default names no engine, and the node's default engine, faiss, has no native library in the local
 * distribution: indexing into it kills the node. The store then finds the index and leaves it as it is.
 */
final class SpringAiOpenSearchSystems implements AutoCloseable {
    private static final String MAPPING = """
            {"settings":{"index":{"knn":true,"number_of_shards":1,"number_of_replicas":0}},
             "mappings":{"properties":{"embedding":{"type":"knn_vector","dimension":%d,
               "method":{"name":"hnsw","engine":"lucene","space_type":"cosinesimil"}}}}}""";

    private final RawOpenSearch raw;
    private final String index;
    private final SpringAiOpenSearch peer;
    private final Dataset data;
    private final IngestResult ingest;
    private final Thread deleteOnExit;
    private OpenSearchStore translatorStore;

    private SpringAiOpenSearchSystems(RawOpenSearch raw, String index, SpringAiOpenSearch peer, Dataset data,
                                      IngestResult ingest) {
        this.raw = raw;
        this.index = index;
        this.peer = peer;
        this.data = data;
        this.ingest = ingest;
        this.deleteOnExit = new Thread(() -> raw.deleteIndex(index), "delete-" + index);
        Runtime.getRuntime().addShutdownHook(deleteOnExit);
    }

    /** Spring AI's index for the rows: created (lucene), loaded with {@code add}, merged to one segment. */
    static SpringAiOpenSearchSystems load(String url, Dataset data, int batchSize) {
        String index = "portafilter-bench-" + ProcessHandle.current().pid() + "-springai";
        RawOpenSearch raw = new RawOpenSearch(url);
        createIndex(raw, index, data.dimension());
        SpringAiOpenSearch peer = open(url, index, data);
        double[] seconds = add(peer, data, data.size(), batchSize, "Spring AI OpenSearchVectorStore: load");
        long mergeStart = System.nanoTime();
        raw.forceMerge(index);
        double merge = (System.nanoTime() - mergeStart) / 1e9;
        IngestResult ingest = new IngestResult("opensearch", Report.SPRING_AI_OS, "add (the searched index), "
                + batchSize + " per call; index s: refresh and merge to one segment", data.size(), seconds[0],
                merge, (long) seconds[1], (long) seconds[2]);
        return new SpringAiOpenSearchSystems(raw, index, peer, data, ingest);
    }

    /** Spring AI's index created beforehand, as {@link SpringAiOpenSearchSystems} says why. */
    static void createIndex(RawOpenSearch raw, String index, int dimension) {
        raw.deleteIndex(index);
        try {
            raw.createIndex(index, (ObjectNode) RawOpenSearch.json().readTree(MAPPING.formatted(dimension)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static SpringAiOpenSearch open(String url, String index, Dataset data) {
        try {
            return SpringAiOpenSearch.create(url, index, data.dimension(), new ReplayEmbeddingModel(data),
                    SpringAiOpenSearch.Search.EXACT);
        } catch (Exception e) {
            throw new IllegalStateException("opening Spring AI's OpenSearchVectorStore failed: " + e, e);
        }
    }

    /** Rows 0 to {@code rows} through {@code add}: load seconds, peak heap above baseline, allocated bytes per row. */
    static double[] add(SpringAiOpenSearch peer, Dataset data, int rows, int batchSize, String what) {
        Progress progress = Progress.rows(what, rows);
        try (HeapWatch watch = HeapWatch.start()) {
            long start = System.nanoTime();
            for (int from = 0; from < rows; from += batchSize) {
                int to = Math.min(rows, from + batchSize);
                List<Document> batch = new ArrayList<>(to - from);
                for (int i = from; i < to; i++) {
                    batch.add(Document.builder().id(data.id(i)).text(data.text(i)).metadata(data.metadataMap(i))
                            .build());
                }
                peer.store().add(batch);
                progress.add(to - from);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new double[] {seconds, watch.peakAboveBaseline(), watch.allocatedBytes() / (double) rows};
        }
    }

    IngestResult ingest() {
        return ingest;
    }

    /** Spring AI's own {@code similaritySearch} with the filter from {@link SpringAiFilters}. */
    SearchSystem springAi() {
        Map<FilterCase, Expression> filters = new ConcurrentHashMap<>();
        return SearchSystem.of(Report.SPRING_AI_OS, "opensearch", (query, filterCase, k) -> {
            Expression filter = filters.computeIfAbsent(filterCase, c -> SpringAiFilters.toSpringAi(c.filter()));
            return peer.store().similaritySearch(SearchRequest.builder().query(ReplayEmbeddingModel.queryText(query))
                    .topK(k).filterExpression(filter).build()).stream().map(Document::getId).toList();
        }, () -> {
        });
    }

    /**
     * LangChain4j's OpenSearch store's query on this index: the exact {@code knn_score} script over the filter as
     * {@code term}, {@code terms} and {@code range} queries on the {@code .keyword} subfields of the dynamic mapping
     * (Portafilter's translator writes the filter: it reads strings from that subfield too), the whole {@code _source}
     * returned, as that store reads it.
     */
    SearchSystem langChain4jShape(String url) {
        translatorStore = OpenSearchStore.builder(OpenSearchIndexLayout.springAi(index, Dataset.SCHEMA,
                data.dimension()).build()).url(url).build();
        Map<FilterCase, String> filters = new ConcurrentHashMap<>();
        return SearchSystem.of(Report.LANGCHAIN4J_OS_SHAPE, "opensearch", (query, filterCase, k) -> {
            String filter = filters.computeIfAbsent(filterCase, c -> translatorStore.translator().toJson(c.filter()));
            return raw.searchIds(index, RawOpenSearch.exactBody("embedding", "cosinesimil", filter, data.query(query), k,
                    true));
        }, () -> {
        });
    }

    @Override
    public void close() {
        Runtime.getRuntime().removeShutdownHook(deleteOnExit);
        try {
            raw.deleteIndex(index);
        } finally {
            if (translatorStore != null) {
                translatorStore.close();
            }
            try {
                peer.close();
            } catch (Exception e) {
                System.err.println("[benchmark] closing Spring AI's OpenSearch client: " + e.getMessage());
            }
        }
    }
}

package dev.portafilter.benchmarks;

import dev.portafilter.springai.SpringAiFilters;
import com.zaxxer.hikari.HikariDataSource;
import org.springframework.ai.document.Document;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.filter.Filter.Expression;
import org.springframework.ai.vectorstore.pgvector.PgVectorStore;
import org.springframework.ai.vectorstore.pgvector.PgVectorStore.PgDistanceType;
import org.springframework.ai.vectorstore.pgvector.PgVectorStore.PgIndexType;
import org.springframework.jdbc.core.JdbcTemplate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Spring AI's {@code PgVectorStore}: metadata in a {@code json} column, filters as a jsonpath predicate, an HNSW
 * index with cosine distance (its defaults).
 *
 * <p>Changed from its defaults, and why: the HNSW index is created after the load (a first instance with
 * {@code indexType(NONE)} loads, a second with the default {@code HNSW} runs its own {@code CREATE INDEX}),
 * because building HNSW during a bulk insert is ~10× slower. {@code dimensions(384)} is set since the embedding
 * model here only replays the dataset's vectors.
 */
final class SpringAiPgvector implements SearchSystem {
    private static final String SCHEMA = "bench_springai";
    private static final String TABLE = "vector_store";

    private final BenchmarkDatabase db;
    private final HikariDataSource pool;
    private final PgVectorStore store;
    private final Map<FilterCase, Expression> filters = new ConcurrentHashMap<>();

    private SpringAiPgvector(BenchmarkDatabase db, HikariDataSource pool, PgVectorStore store) {
        this.db = db;
        this.pool = pool;
        this.store = store;
    }

    static Loaded load(BenchmarkDatabase db, Dataset data, int batchSize, int connections) {
        db.recreateSchema(SCHEMA);
        HikariDataSource pool = db.pool(null, connections);
        JdbcTemplate jdbc = new JdbcTemplate(pool);
        ReplayEmbeddingModel embeddings = new ReplayEmbeddingModel(data);
        PgVectorStore loader = builder(jdbc, embeddings, data).indexType(PgIndexType.NONE).build();
        loader.afterPropertiesSet();
        double loadSeconds;
        long peak;
        long allocated;
        try (HeapWatch watch = HeapWatch.start()) {
            Progress progress = Progress.rows("Spring AI PgVectorStore: load", data.size());
            long start = System.nanoTime();
            for (int from = 0; from < data.size(); from += batchSize) {
                int to = Math.min(data.size(), from + batchSize);
                List<Document> batch = new ArrayList<>(to - from);
                for (int i = from; i < to; i++) {
                    batch.add(Document.builder().id(data.id(i)).text(data.text(i)).metadata(data.metadataMap(i))
                            .build());
                }
                loader.add(batch);
                progress.add(to - from);
            }
            loadSeconds = (System.nanoTime() - start) / 1e9;
            peak = watch.peakAboveBaseline();
            allocated = watch.allocatedBytes();
        }
        long indexStart = System.nanoTime();
        PgVectorStore store = builder(jdbc, embeddings, data).build();
        store.afterPropertiesSet();
        db.execute("ANALYZE " + SCHEMA + "." + TABLE);
        double indexSeconds = (System.nanoTime() - indexStart) / 1e9;
        SpringAiPgvector system = new SpringAiPgvector(db, pool, store);
        return new Loaded(system, new IngestResult("pgvector", system.name(), "add, " + batchSize + " per call", data.size(),
                loadSeconds, indexSeconds, peak, allocated / data.size()));
    }

    private static PgVectorStore.PgVectorStoreBuilder builder(JdbcTemplate jdbc, ReplayEmbeddingModel embeddings,
                                                              Dataset data) {
        return PgVectorStore.builder(jdbc, embeddings)
                .schemaName(SCHEMA)
                .vectorTableName(TABLE)
                .dimensions(data.dimension())
                .distanceType(PgDistanceType.COSINE_DISTANCE)
                .initializeSchema(true);
    }

    @Override
    public String name() {
        return "Spring AI PgVectorStore";
    }

    @Override
    public String backend() {
        return "pgvector";
    }

    @Override
    public List<String> search(int query, FilterCase filterCase, int k) {
        Expression filter = filters.computeIfAbsent(filterCase, c -> SpringAiFilters.toSpringAi(c.filter()));
        SearchRequest request = SearchRequest.builder()
                .query(ReplayEmbeddingModel.queryText(query))
                .topK(k)
                .filterExpression(filter)
                .build();
        return store.similaritySearch(request).stream().map(Document::getId).toList();
    }

    @Override
    public void close() {
        pool.close();
        db.dropSchema(SCHEMA);
    }
}

package dev.portafilter.benchmarks;

import dev.portafilter.langchain4j.LangChain4jFilters;
import com.zaxxer.hikari.HikariDataSource;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.filter.Filter;
import dev.langchain4j.store.embedding.pgvector.DefaultMetadataStorageConfig;
import dev.langchain4j.store.embedding.pgvector.MetadataStorageConfig;
import dev.langchain4j.store.embedding.pgvector.MetadataStorageMode;
import dev.langchain4j.store.embedding.pgvector.PgVectorEmbeddingStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * LangChain4j's {@code PgVectorEmbeddingStore}, in JSONB mode (metadata in one {@code jsonb} column) or in
 * COLUMN_PER_KEY mode (one typed column per key, with the B-tree index on {@code tenant} its config allows).
 *
 * <p>Changed from its defaults, and why: the metadata column is {@code jsonb} instead of {@code json} (the issue
 * compares JSONB); the IVFFlat index ({@code useIndex}, off by default, the only index type it offers) is
 * created after the load with {@code lists = rows / 1000}, as pgvector's README advises. Its {@code Metadata}
 * cannot hold a list, so the {@code tags} key is not stored (no benchmark filter uses it).
 */
final class LangChain4jPgvector implements SearchSystem {
    enum Mode { JSONB, COLUMN_PER_KEY }

    private static final String TABLE = "embeddings";

    private final Mode mode;
    private final BenchmarkDatabase db;
    private final String schema;
    private final HikariDataSource pool;
    private final PgVectorEmbeddingStore store;
    private final Dataset data;
    private final Map<FilterCase, Filter> filters = new ConcurrentHashMap<>();

    private LangChain4jPgvector(Mode mode, BenchmarkDatabase db, String schema, HikariDataSource pool,
                                PgVectorEmbeddingStore store, Dataset data) {
        this.mode = mode;
        this.db = db;
        this.schema = schema;
        this.pool = pool;
        this.store = store;
        this.data = data;
    }

    /** Creates the table, loads every row with {@code addAll} in batches, then builds the IVFFlat index. */
    static Loaded load(Mode mode, BenchmarkDatabase db, Dataset data, int batchSize, int connections) {
        String schema = mode == Mode.JSONB ? "bench_lc4j_jsonb" : "bench_lc4j_columns";
        db.recreateSchema(schema);
        HikariDataSource pool = db.pool(schema, connections);
        PgVectorEmbeddingStore loader = builder(mode, pool, data).useIndex(false).build();
        double loadSeconds;
        long peak;
        long allocated;
        try (HeapWatch watch = HeapWatch.start()) {
            Progress progress = Progress.rows((mode == Mode.JSONB ? "LangChain4j JSONB" : Report.COLUMN_PER_KEY)
                    + ": load", data.size());
            long start = System.nanoTime();
            for (int from = 0; from < data.size(); from += batchSize) {
                int to = Math.min(data.size(), from + batchSize);
                List<String> ids = new ArrayList<>(to - from);
                List<Embedding> embeddings = new ArrayList<>(to - from);
                List<TextSegment> segments = new ArrayList<>(to - from);
                for (int i = from; i < to; i++) {
                    ids.add(data.id(i));
                    embeddings.add(Embedding.from(data.vector(i)));
                    segments.add(TextSegment.from(data.text(i), metadata(data, i)));
                }
                loader.addAll(ids, embeddings, segments);
                progress.add(to - from);
            }
            loadSeconds = (System.nanoTime() - start) / 1e9;
            peak = watch.peakAboveBaseline();
            allocated = watch.allocatedBytes();
        }
        long indexStart = System.nanoTime();
        int lists = Math.max(1, data.size() / 1000);
        PgVectorEmbeddingStore store = builder(mode, pool, data).useIndex(true).indexListSize(lists).build();
        db.execute("ANALYZE " + schema + "." + TABLE);
        double indexSeconds = (System.nanoTime() - indexStart) / 1e9;
        LangChain4jPgvector system = new LangChain4jPgvector(mode, db, schema, pool, store, data);
        return new Loaded(system, new IngestResult("pgvector", system.name(), "addAll, " + batchSize + " per call",
                data.size(), loadSeconds, indexSeconds, peak, allocated / data.size()));
    }

    private static PgVectorEmbeddingStore.DatasourceBuilder builder(Mode mode, HikariDataSource pool, Dataset data) {
        return PgVectorEmbeddingStore.datasourceBuilder()
                .datasource(pool)
                .table(TABLE)
                .dimension(data.dimension())
                .createTable(true)
                .metadataStorageConfig(config(mode));
    }

    private static MetadataStorageConfig config(Mode mode) {
        return switch (mode) {
            case JSONB -> DefaultMetadataStorageConfig.builder()
                    .storageMode(MetadataStorageMode.COMBINED_JSONB)
                    .columnDefinitions(List.of("metadata JSONB NULL"))
                    .build();
            case COLUMN_PER_KEY -> DefaultMetadataStorageConfig.builder()
                    .storageMode(MetadataStorageMode.COLUMN_PER_KEY)
                    .columnDefinitions(List.of("tenant text NULL", "documentType text NULL",
                            "publicationYear bigint NULL", "region text NULL"))
                    .indexes(List.of("tenant"))
                    .build();
        };
    }

    private static Metadata metadata(Dataset data, int row) {
        Map<String, Object> m = data.metadataMap(row);
        m.remove("tags");
        return Metadata.from(m);
    }

    @Override
    public String name() {
        return mode == Mode.JSONB ? "LangChain4j JSONB" : Report.COLUMN_PER_KEY;
    }

    @Override
    public String backend() {
        return "pgvector";
    }

    @Override
    public List<String> search(int query, FilterCase filterCase, int k) {
        Filter filter = filters.computeIfAbsent(filterCase, c -> LangChain4jFilters.toLangChain4j(c.filter()));
        EmbeddingSearchRequest request = EmbeddingSearchRequest.builder()
                .queryEmbedding(Embedding.from(data.query(query)))
                .maxResults(k)
                .filter(filter)
                .build();
        return store.search(request).matches().stream().map(EmbeddingMatch::embeddingId).toList();
    }

    @Override
    public void close() {
        pool.close();
        db.dropSchema(schema);
    }
}

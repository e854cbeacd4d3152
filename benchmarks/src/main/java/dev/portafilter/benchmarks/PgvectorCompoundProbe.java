package dev.portafilter.benchmarks;

import com.pgvector.PGvector;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.pgvector.DefaultMetadataStorageConfig;
import dev.langchain4j.store.embedding.pgvector.MetadataStorageMode;
import dev.langchain4j.store.embedding.pgvector.PgVectorEmbeddingStore;
import dev.portafilter.langchain4j.LangChain4jFilters;
import dev.portafilter.pgvector.PgvectorSchemaManager;
import dev.portafilter.pgvector.PgvectorStore;
import dev.portafilter.pgvector.PgvectorTableLayout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Issue 19's pgvector compound-filter question, measured on its own: the benchmark's rows in Portafilter tables that
 * differ only in their metadata indexes, beside a LangChain4j COLUMN_PER_KEY table (a B-tree on {@code tenant} and
 * IVFFlat, as the benchmark sets it up), queried interleaved block by block, one thread; p50 and recall@k per
 * filter case, then {@code EXPLAIN (ANALYZE, BUFFERS)} of each Portafilter table's exact plan for the 1% cases.
 *
 * <p>{@code -Dn=100000 -Ddimension=384 -Dqueries=400 -Dseed=42}; the server from {@code PORTAFILTER_PGVECTOR_URL}.
 * Everything lives in a scratch database dropped at the end.
 */
public final class PgvectorCompoundProbe {
    private static final String TABLE = "chunks";
    private static final int K = 10;
    private static final int BLOCK = 20;
    private static final int WARMUP = 40;

    /** One Portafilter table: its name, and how its layout is built (which decides its indexes). */
    private record Variant(String name, String schema, UnaryOperator<PgvectorTableLayout.Builder> layout,
                           List<String> extraIndexes) {
    }

    private interface Searcher {
        List<String> search(int query, FilterCase c);
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.getInteger("n", 100_000);
        int dimension = Integer.getInteger("dimension", 384);
        int queries = Integer.getInteger("queries", 400);
        long seed = Long.getLong("seed", 42L);
        String url = System.getenv("PORTAFILTER_PGVECTOR_URL");
        List<FilterCase> cases = FilterCase.all();
        log("generating %,d rows x %d, %d queries", n, dimension, queries);
        Dataset data = Dataset.generate(n, dimension, queries, seed);
        log("ground truth");
        GroundTruth truth = GroundTruth.compute(data, cases, K);

        List<Variant> variants = List.of(
                new Variant("before: B-tree per column", "probe_before", b -> b.metadataIndexes(
                        PgvectorTableLayout.MetadataIndexes.PER_COLUMN), List.of()),
                new Variant("tenant B-tree only", "probe_tenant_only", b -> b.metadataIndexes(
                        PgvectorTableLayout.MetadataIndexes.NONE), List.of("(tenant)")),
                new Variant("after: tenant-leading", "probe_after", b -> b.tenantField("tenant"), List.of()));

        try (BenchmarkDatabase db = BenchmarkDatabase.create(url);
             HikariDataSource pool = db.pool(null, 2)) {
            Map<String, Searcher> systems = new LinkedHashMap<>();
            List<AutoCloseable> closing = new ArrayList<>();
            String first = null;
            PgvectorTableLayout firstLayout = null;
            for (Variant v : variants) {
                PgvectorTableLayout layout = v.layout().apply(
                        PgvectorTableLayout.builder(v.schema(), TABLE, Dataset.SCHEMA, dimension)).build();
                db.recreateSchema(v.schema());
                PgvectorSchemaManager.createTable(pool, layout);
                PgvectorSchemaManager.dropVectorIndex(pool, layout);
                for (String columns : v.extraIndexes()) {
                    db.execute("CREATE INDEX ON " + v.schema() + "." + TABLE + " " + columns);
                }
                PgvectorStore store = PgvectorStore.builder(layout).dataSource(pool).build();
                if (first == null) {
                    log("loading %s", v.name());
                    for (int from = 0; from < n; from += 5_000) {
                        store.bulkLoad(data.records(from, Math.min(n, from + 5_000)));
                    }
                    first = v.schema();
                    firstLayout = layout;
                } else {
                    log("copying into %s", v.name());
                    db.execute("INSERT INTO " + v.schema() + "." + TABLE + " SELECT * FROM " + first + "." + TABLE);
                }
                log("HNSW of %s", v.name());
                db.execute("SET maintenance_work_mem = '512MB'; CREATE INDEX ON " + v.schema() + "." + TABLE
                        + " USING hnsw (embedding vector_cosine_ops); ANALYZE " + v.schema() + "." + TABLE);
                log("indexes of %s: %s", v.name(), indexes(db, v.schema()));
                systems.put(v.name(), (q, c) -> SearchSystem.portafilterSearch(store, data, q, c, K));
                closing.add(store);
            }
            // a planner-side alternative: the per-column table, searched with bitmap scans off, so that no BitmapAnd
            HikariConfig noBitmaps = new HikariConfig();
            noBitmaps.setJdbcUrl(db.url() + (db.url().contains("?") ? "&" : "?")
                    + "options=-c%20enable_bitmapscan%3Doff");
            noBitmaps.setMaximumPoolSize(2);
            HikariDataSource noBitmapPool = new HikariDataSource(noBitmaps);
            PgvectorStore noBitmapStore = PgvectorStore.builder(firstLayout).dataSource(noBitmapPool).build();
            systems.put("before, enable_bitmapscan off", (q, c) -> SearchSystem.portafilterSearch(noBitmapStore, data,
                    q, c, K));
            closing.add(noBitmapStore);
            closing.add(noBitmapPool);
            systems.put(Report.COLUMN_PER_KEY, columnPerKey(db, first, data));

            log("searching: %d systems x %d cases x %d queries", systems.size(), cases.size(), queries);
            Map<String, Map<FilterCase, long[]>> times = new LinkedHashMap<>();
            Map<String, Map<FilterCase, Double>> recalls = new LinkedHashMap<>();
            for (String name : systems.keySet()) {
                times.put(name, new LinkedHashMap<>());
                recalls.put(name, new LinkedHashMap<>());
            }
            for (FilterCase c : cases) {
                for (Map.Entry<String, Searcher> s : systems.entrySet()) {
                    for (int q = 0; q < WARMUP; q++) {
                        s.getValue().search(q % queries, c);
                    }
                    times.get(s.getKey()).put(c, new long[queries]);
                    recalls.get(s.getKey()).put(c, 0.0);
                }
                // block by block, each block in every system, the order rotating, so drift hits all alike
                for (int from = 0, round = 0; from < queries; from += BLOCK, round++) {
                    List<String> order = new ArrayList<>(systems.keySet());
                    java.util.Collections.rotate(order, round);
                    for (String name : order) {
                        Searcher s = systems.get(name);
                        for (int q = from; q < Math.min(queries, from + BLOCK); q++) {
                            long start = System.nanoTime();
                            List<String> ids = s.search(q, c);
                            times.get(name).get(c)[q] = System.nanoTime() - start;
                            Set<String> exact = truth.of(c).topK().get(q);
                            long hit = ids.stream().filter(exact::contains).count();
                            recalls.get(name).merge(c, (double) hit / K / queries, Double::sum);
                        }
                    }
                }
                log("%s done", c.label());
            }
            printTable(systems.keySet(), cases, times, recalls);
            for (Variant v : variants) {
                explain(pool, v, data, cases);
            }
            Variant before = variants.get(0);
            explain(noBitmapPool, new Variant("before, enable_bitmapscan off", before.schema(), before.layout(),
                    List.of()), data, cases);
            for (AutoCloseable c : closing) {
                c.close();
            }
        }
    }

    /** LangChain4j COLUMN_PER_KEY as the benchmark configures it, filled from the loaded table. */
    private static Searcher columnPerKey(BenchmarkDatabase db, String from, Dataset data) {
        String schema = "probe_lc4j_columns";
        db.recreateSchema(schema);
        HikariDataSource pool = db.pool(schema, 1);
        DefaultMetadataStorageConfig config = DefaultMetadataStorageConfig.builder()
                .storageMode(MetadataStorageMode.COLUMN_PER_KEY)
                .columnDefinitions(List.of("tenant text NULL", "documentType text NULL",
                        "publicationYear bigint NULL", "region text NULL"))
                .indexes(List.of("tenant"))
                .build();
        PgVectorEmbeddingStore.datasourceBuilder().datasource(pool).table("embeddings").dimension(data.dimension())
                .createTable(true).useIndex(false).metadataStorageConfig(config).build();
        log("copying into %s", Report.COLUMN_PER_KEY);
        db.execute("INSERT INTO " + schema + ".embeddings (embedding_id, embedding, text, tenant, documenttype, "
                + "publicationyear, region) SELECT id::uuid, embedding, text, tenant, \"documentType\", "
                + "\"publicationYear\", region FROM " + from + "." + TABLE);
        PgVectorEmbeddingStore store = PgVectorEmbeddingStore.datasourceBuilder().datasource(pool).table("embeddings")
                .dimension(data.dimension()).createTable(true).useIndex(true)
                .indexListSize(Math.max(1, data.size() / 1000)).metadataStorageConfig(config).build();
        db.execute("ANALYZE " + schema + ".embeddings");
        log("indexes of %s: %s", Report.COLUMN_PER_KEY, indexes(db, schema));
        Map<FilterCase, dev.langchain4j.store.embedding.filter.Filter> filters = new LinkedHashMap<>();
        return (q, c) -> store.search(EmbeddingSearchRequest.builder()
                        .queryEmbedding(Embedding.from(data.query(q))).maxResults(K)
                        .filter(filters.computeIfAbsent(c, x -> LangChain4jFilters.toLangChain4j(x.filter())))
                        .build())
                .matches().stream().map(EmbeddingMatch::embeddingId).toList();
    }

    private static String indexes(BenchmarkDatabase db, String schema) {
        return db.queryString("SELECT string_agg(regexp_replace(indexdef, '^.* USING ', ''), '; ' ORDER BY indexname) "
                + "FROM pg_indexes WHERE schemaname = '" + schema + "'");
    }

    private static void printTable(Set<String> names, List<FilterCase> cases,
                                   Map<String, Map<FilterCase, long[]>> times,
                                   Map<String, Map<FilterCase, Double>> recalls) {
        StringBuilder out = new StringBuilder("\n| case |");
        names.forEach(name -> out.append(' ').append(name).append(" |"));
        out.append("\n|---|").append("---|".repeat(names.size())).append('\n');
        for (FilterCase c : cases) {
            out.append("| ").append(c.label()).append(" |");
            for (String name : names) {
                out.append(String.format(Locale.ROOT, " %.2f (%.3f) |", p50(times.get(name).get(c)),
                        recalls.get(name).get(c)));
            }
            out.append('\n');
        }
        System.out.println(out);
    }

    private static double p50(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2] / 1e6;
    }

    /**
     * {@code EXPLAIN (ANALYZE, BUFFERS)} of the exact plan's statement as {@code PgvectorSearcher} writes it, for the
     * 1% tenant alone and combined, with query 0.
     */
    private static void explain(HikariDataSource pool, Variant v, Dataset data, List<FilterCase> cases)
            throws SQLException {
        Map<String, List<Object>> wheres = new LinkedHashMap<>();
        String tenant = FilterCase.COMPOUND_TENANT;
        wheres.put("1%", List.of("tenant = ?", tenant));
        wheres.put("1% ∧ year", List.of("tenant = ? AND \"publicationYear\" >= ?", tenant, 2015L));
        wheres.put("1% ∧ $in", List.of("tenant = ? AND \"documentType\" = ANY(?)", tenant,
                new String[] {"pdf", "html"}));
        wheres.put("1% ∧ $ne", List.of("tenant = ? AND \"documentType\" <> ?", tenant, "email"));
        try (Connection c = pool.getConnection()) {
            for (Map.Entry<String, List<Object>> w : wheres.entrySet()) {
                String sql = "EXPLAIN (ANALYZE, BUFFERS) SELECT id, text, (embedding <=> ?) + 0, tenant, "
                        + "\"documentType\", \"publicationYear\", region, tags FROM " + v.schema() + "." + TABLE
                        + " WHERE " + w.getValue().get(0) + " ORDER BY 3 LIMIT " + K;
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setObject(1, new PGvector(data.query(0)));
                    for (int i = 1; i < w.getValue().size(); i++) {
                        Object p = w.getValue().get(i);
                        if (p instanceof String[] array) {
                            ps.setArray(i + 1, c.createArrayOf("text", array));
                        } else {
                            ps.setObject(i + 1, p);
                        }
                    }
                    StringBuilder plan = new StringBuilder();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            // the sort key spells out the query vector
                            if (!rs.getString(1).contains("Sort Key")) {
                                plan.append("    ").append(rs.getString(1)).append('\n');
                            }
                        }
                    }
                    System.out.printf("%n%s, %s:%n%s", v.name(), w.getKey(), plan);
                }
            }
        }
    }

    private static void log(String format, Object... args) {
        System.out.printf("[%tT] %s%n", System.currentTimeMillis(), String.format(Locale.ROOT, format, args));
    }
}

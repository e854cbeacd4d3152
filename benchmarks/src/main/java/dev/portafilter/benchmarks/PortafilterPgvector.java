package dev.portafilter.benchmarks;

import dev.portafilter.core.metadata.MetadataSchema;
import com.zaxxer.hikari.HikariDataSource;
import dev.portafilter.pgvector.PgvectorSchemaManager;
import dev.portafilter.pgvector.PgvectorSearchPlan;
import dev.portafilter.pgvector.PgvectorStore;
import dev.portafilter.pgvector.PgvectorTableLayout;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Portafilter's {@code PgvectorStore} with its defaults: one typed column per field with the B-tree (and GIN)
 * indexes {@link PgvectorSchemaManager} creates; each search exact or HNSW with iterative scan, as its planner
 * chooses from PostgreSQL's row estimate. Loaded with {@code bulkLoad} (binary
 * COPY); its HNSW index is dropped before and built after the load, as for every peer.
 */
final class PortafilterPgvector implements SearchSystem {
    private static final String SCHEMA = "bench_portafilter";
    private static final String UNDECLARED_SCHEMA = "bench_portafilter_undeclared";
    private static final String UPSERT_SCHEMA = "bench_portafilter_upsert";
    private static final String TABLE = "chunks";

    private final BenchmarkDatabase db;
    private final HikariDataSource pool;
    private final PgvectorStore store;
    private final Dataset data;
    private final String name;
    private final String schemaName;

    private PortafilterPgvector(BenchmarkDatabase db, HikariDataSource pool, PgvectorStore store, Dataset data,
                                String name, String schemaName) {
        this.db = db;
        this.pool = pool;
        this.store = store;
        this.data = data;
        this.name = name;
        this.schemaName = schemaName;
    }

    /** Creates the table, loads every row with {@code bulkLoad} in chunks, then builds the HNSW index. */
    static Loaded load(BenchmarkDatabase db, Dataset data, int chunkSize, int connections) {
        return load(db, data, chunkSize, connections, SCHEMA, Dataset.SCHEMA, Report.PORTAFILTER_PG);
    }

    /**
     * The same rows with no field declared: every value in the {@code jsonb} document with its GIN index, every filter
     * an SQL/JSON path match there. Measured beside the declared table, for the cost of the undeclared path.
     */
    static Loaded loadUndeclared(BenchmarkDatabase db, Dataset data, int chunkSize, int connections) {
        return load(db, data, chunkSize, connections, UNDECLARED_SCHEMA, Dataset.UNDECLARED,
                Report.PORTAFILTER_PG_UNDECLARED);
    }

    private static Loaded load(BenchmarkDatabase db, Dataset data, int chunkSize, int connections, String schemaName,
                               MetadataSchema schema, String name) {
        db.recreateSchema(schemaName);
        HikariDataSource pool = db.pool(null, connections);
        PgvectorTableLayout.Builder builder = PgvectorTableLayout.builder(schemaName, TABLE, schema, data.dimension());
        if (schema.field("tenant").isPresent()) {
            builder.tenantField("tenant"); // the table a user's layout with a tenant gets: composite metadata indexes
        }
        PgvectorTableLayout layout = builder.build();
        PgvectorSchemaManager.createTable(pool, layout);
        PgvectorSchemaManager.dropVectorIndex(pool, layout);
        PgvectorStore store = PgvectorStore.builder(layout).dataSource(pool).build();
        double loadSeconds;
        long peak;
        long allocated;
        try (HeapWatch watch = HeapWatch.start()) {
            Progress progress = Progress.rows(name + ": load", data.size());
            long start = System.nanoTime();
            for (int from = 0; from < data.size(); from += chunkSize) {
                int to = Math.min(data.size(), from + chunkSize);
                store.bulkLoad(data.records(from, to));
                progress.add(to - from);
            }
            loadSeconds = (System.nanoTime() - start) / 1e9;
            peak = watch.peakAboveBaseline();
            allocated = watch.allocatedBytes();
        }
        long indexStart = System.nanoTime();
        PgvectorSchemaManager.createVectorIndex(pool, layout);
        db.execute("ANALYZE " + schemaName + "." + TABLE);
        double indexSeconds = (System.nanoTime() - indexStart) / 1e9;
        PortafilterPgvector system = new PortafilterPgvector(db, pool, store, data, name, schemaName);
        return new Loaded(system, new IngestResult("pgvector", system.name(), "bulkLoad (binary COPY), " + chunkSize + " per call",
                data.size(), loadSeconds, indexSeconds, peak, allocated / data.size()));
    }

    /**
     * The batched upsert path ({@code INSERT ... ON CONFLICT}, {@code batchSize} records per call, below the
     * store's COPY threshold) into a table of the same shape without HNSW; the table is dropped afterwards.
     */
    static IngestResult measureUpsert(BenchmarkDatabase db, Dataset data, int batchSize) {
        db.recreateSchema(UPSERT_SCHEMA);
        PgvectorTableLayout layout = layout(UPSERT_SCHEMA, data);
        try (HikariDataSource pool = db.pool(null, 1);
             PgvectorStore store = PgvectorStore.builder(layout).dataSource(pool).build()) {
            PgvectorSchemaManager.createTable(pool, layout);
            PgvectorSchemaManager.dropVectorIndex(pool, layout);
            try (HeapWatch watch = HeapWatch.start()) {
                Progress progress = Progress.rows("Portafilter: upsert", data.size());
                long start = System.nanoTime();
                for (int from = 0; from < data.size(); from += batchSize) {
                    int to = Math.min(data.size(), from + batchSize);
                    store.upsert(data.records(from, to));
                    progress.add(to - from);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                return new IngestResult("pgvector", "Portafilter", "upsert (batched INSERT), " + batchSize + " per call",
                        data.size(), seconds, Double.NaN, watch.peakAboveBaseline(),
                        watch.allocatedBytes() / data.size());
            }
        } finally {
            db.dropSchema(UPSERT_SCHEMA);
        }
    }

    private static PgvectorTableLayout layout(String schema, Dataset data) {
        return PgvectorTableLayout.builder(schema, TABLE, Dataset.SCHEMA, data.dimension()).tenantField("tenant").build();
    }

    /**
     * The same table searched with each plan fixed, and with a fresh row estimate before every search: what the
     * adaptive store is measured against, side by side in one run.
     */
    List<SearchSystem> fixedModes() {
        return List.of(
                variant(Report.PORTAFILTER_PG_EXACT, b -> b.fixedStrategy(PgvectorSearchPlan.Strategy.EXACT)),
                variant(Report.PORTAFILTER_PG_HNSW, b -> b.fixedStrategy(PgvectorSearchPlan.Strategy.HNSW_ITERATIVE)),
                variant(Report.PORTAFILTER_PG_UNCACHED, b -> b.estimateCacheTtl(Duration.ZERO)));
    }

    /** Another store over this system's table; closing it leaves the table and the pool alone. */
    private SearchSystem variant(String name, UnaryOperator<PgvectorStore.Builder> options) {
        PgvectorStore variant = options.apply(PgvectorStore.builder(store.layout()).dataSource(pool)).build();
        return SearchSystem.ofStore(name, "pgvector", variant, data, variant::close);
    }

    /** The plan the store chooses for each case ({@link PgvectorStore#explainPlan}): exact, or HNSW with ef_search. */
    Map<String, String> plans(List<FilterCase> cases, int k) {
        Map<String, String> plans = new LinkedHashMap<>();
        for (FilterCase c : cases) {
            PgvectorSearchPlan plan = store.explainPlan(c.filter(), k);
            plans.put(c.label(), String.format(Locale.ROOT, "%s (estimated %,d rows%s)", plan.strategy(),
                    plan.estimatedRows(), plan.strategy() == PgvectorSearchPlan.Strategy.HNSW_ITERATIVE
                            ? ", ef_search " + plan.efSearch() : ""));
        }
        return plans;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String backend() {
        return "pgvector";
    }

    @Override
    public List<String> search(int query, FilterCase filterCase, int k) {
        return SearchSystem.portafilterSearch(store, data, query, filterCase, k);
    }

    @Override
    public void close() {
        store.close();
        pool.close();
        db.dropSchema(schemaName);
    }
}

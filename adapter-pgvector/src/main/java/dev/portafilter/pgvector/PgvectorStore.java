package dev.portafilter.pgvector;

import com.github.benmanes.caffeine.cache.Ticker;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portafilter.core.internal.Durations;
import dev.portafilter.core.TenantIsolationException;
import dev.portafilter.core.WriteConflictException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.Capability;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.internal.Vectors;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link VectorStore} on PostgreSQL with pgvector. Filters become SQL conditions over the layout's typed
 * columns ({@link PgvectorFilterTranslator}); search orders by cosine distance {@code <=>} and reports the
 * cosine similarity {@code 1 - distance}.
 *
 * <pre>{@code
 * PgvectorTableLayout layout = PgvectorTableLayout.builder("rag", "chunks", schema, 1024).build();
 * PgvectorSchemaManager.createTable(dataSource, layout);
 * try (PgvectorStore store = PgvectorStore.builder(layout).dataSource(dataSource).build()) {
 *     store.upsert(records);
 *     store.search(query, 5, Filters.eq("documentType", "case-report"));
 * }
 * }</pre>
 *
 * <p>Each search chooses its plan ({@link #explainPlan}): from PostgreSQL's estimate of how many rows the filter
 * matches, either the exact plan (filter through the B-tree, then sort those rows by distance), forced so that
 * the planner cannot walk the HNSW index instead, or the HNSW index with an iterative scan
 * ({@code hnsw.iterative_scan}, {@code hnsw.ef_search}), forced likewise. A selective filter through the HNSW
 * index gets well under k rows without an iterative scan, and poor recall and speed with one; a broad filter
 * through the exact plan sorts tens of thousands of rows.
 *
 * <p>Every operation runs in one transaction. Settings are made with {@code set_config(..., true)}, i.e.
 * {@code SET LOCAL}, inside it, so a pooled connection goes back to the pool unchanged.
 *
 * <p>Upserts are all-or-nothing per call: {@code INSERT ... ON CONFLICT (id) DO UPDATE} in batches, or binary
 * {@code COPY} for large batches (straight into the table when every id is new, else through a staging table). A
 * guard is checked under row locks before anything is written, and again by the {@code ON CONFLICT ... WHERE}, so a
 * concurrent writer cannot slip past it.
 *
 * <p>Every call is limited by {@link Builder#callTimeout} (default 30 s; {@link Builder#bulkLoadTimeout} for bulk
 * loads): a statement that runs longer is cancelled by PostgreSQL, a server that stops answering is given up, and a
 * pool with no free connection is an error that states its state; each throws
 * {@link dev.portafilter.core.StoreTimeoutException}. See docs/reliability.md.
 *
 * <p>Row-level-security mode ({@link Builder#rowLevelSecurity}) adds a wall below the filter: the partition of a
 * tenant sees and writes only that tenant's rows whatever SQL runs. When the policy refuses a write (an id that
 * belongs to a record of another tenant, which the partition cannot see), the upsert throws
 * {@link WriteConflictException} naming every id of the batch, since which one collided stays hidden.
 */
public final class PgvectorStore implements VectorStore {
    /** Default {@link Builder#callTimeout}: far above a search or a 500-row batch, short of a hung caller. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);
    /** Default {@link Builder#bulkLoadTimeout}: room to rebuild the HNSW index of millions of rows. */
    public static final Duration DEFAULT_BULK_LOAD_TIMEOUT = Duration.ofMinutes(30);

    /** pgvector's {@code hnsw.iterative_scan}: how the HNSW index keeps scanning when the filter drops rows. */
    public enum IterativeScan {
        /** Return what the first ef_search candidates yield (pgvector's default). */
        OFF("off"),
        /** Keep scanning, in exact distance order. */
        STRICT_ORDER("strict_order"),
        /** Keep scanning, possibly slightly out of order (the store re-sorts the k results); best recall. */
        RELAXED_ORDER("relaxed_order");

        private final String setting;

        IterativeScan(String setting) {
            this.setting = setting;
        }

        String setting() {
            return setting;
        }
    }

    // The facade of package-private parts: PgvectorWriter (the write path), PgvectorSearcher (searches),
    // SearchPlanner (the plan and its estimate cache, shared with the partitions) and Jdbc (transactions, settings
    // and statements).
    private final Config config;
    private final DataSource dataSource;
    private final HikariDataSource ownedPool;
    /** Set on a tenant partition in row-level-security mode. */
    private final String tenant;
    /** Shared with this store's partitions, and so are its row estimates. */
    private final SearchPlanner planner;
    private final Jdbc jdbc;
    private final PgvectorFilterTranslator translator;
    private final RowCodec codec;
    private final PgvectorWriter writer;
    private final PgvectorSearcher searcher;

    private PgvectorStore(Config config, DataSource dataSource, HikariDataSource ownedPool, SearchPlanner planner,
                          String tenant) {
        this.config = config;
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
        this.planner = planner;
        this.tenant = tenant;
        this.jdbc = new Jdbc(dataSource, config.callTimeout());
        this.translator = new PgvectorFilterTranslator(config.layout());
        this.codec = new RowCodec(config.layout());
        this.writer = new PgvectorWriter(config.layout(), jdbc, codec, translator, tenant, config.batchSize(),
                config.copyThreshold(), planner, config.bulkLoadTimeout());
        this.searcher = new PgvectorSearcher(config.layout(), jdbc, codec, planner, tenant);
    }

    public static Builder builder(PgvectorTableLayout layout) {
        return new Builder(layout);
    }

    public PgvectorTableLayout layout() {
        return config.layout();
    }

    @Override
    public String backend() {
        return PgvectorFilterTranslator.BACKEND;
    }

    @Override
    public MetadataSchema schema() {
        return config.layout().metadataSchema();
    }

    @Override
    public int dimension() {
        return config.layout().dimension();
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A batch of at least {@link Builder#copyThreshold} records goes through binary COPY and, when it writes at
     * least a tenth of the table's rows (or the table was never analyzed), the table is analyzed in the same
     * transaction: search plans are chosen from the statistics, and autovacuum would refresh them only later.
     * The HNSW index is kept up to date row by row, so that searches go on meanwhile; for a first large load
     * into an empty table, {@link #bulkLoad} builds it once after the data instead.
     */
    @Override
    public void upsert(List<VectorRecord> records) {
        writer.upsert(Vectors.validateBatch(records, this));
    }

    /** {@inheritDoc} See {@link #upsert(List)} for how a batch is written. */
    @Override
    public void upsert(List<VectorRecord> records, Filter guard) {
        Objects.requireNonNull(guard, "guard");
        writer.upsert(Vectors.validateBatch(records, this), guard);
    }

    /**
     * Loads many records with binary {@code COPY}, all or nothing, replacing records with the same ids. When the
     * table is empty and has the HNSW index that {@link PgvectorSchemaManager} creates, and this role owns the
     * table, the index is dropped before the load and built once after it, in the same transaction (about ten
     * times faster than maintaining it row by row); other sessions wait for the table until the load commits.
     * Through a tenant partition the index is left alone. The table is analyzed after a load into an empty table,
     * or of at least a tenth of its rows (see {@link #upsert(List)}). Use {@link #upsert(List, Filter)} for writes
     * that must not replace other records.
     */
    public void bulkLoad(List<VectorRecord> records) {
        writer.bulkLoad(Vectors.validateBatch(records, this));
    }

    /**
     * Chooses the plan from PostgreSQL's estimate of how many rows the filter matches (see {@link #explainPlan};
     * the estimate is kept for {@link Builder#estimateCacheTtl}) and runs it. When an HNSW plan returns fewer than
     * k rows (fewer rows match than estimated, or the iterative scan reached {@code hnsw.max_scan_tuples}), the
     * search runs again with the exact plan: a search returns k rows whenever k rows match.
     */
    @Override
    public List<SearchHit> search(SearchRequest request) {
        float[] vector = Vectors.queryVector(request, dimension());
        Optional<SqlFragment> where = request.filter().map(translator::translate);
        try {
            return searcher.search(vector, where, request.topK());
        } catch (SQLException e) {
            throw jdbc.failure("pgvector search failed", e);
        }
    }

    /**
     * The plan a search with this filter and k would run now, and why: the exact plan (filter, then sort by
     * distance) while at most {@link Builder#exactMaxRows} rows or {@link Builder#exactMaxSelectivity} of the table
     * match, as estimated by PostgreSQL from the typed columns' statistics; else the HNSW index with an iterative
     * scan (or the {@link Builder#fixedStrategy}, with the estimate for information). Asks for a fresh estimate
     * (one planning round trip, no row is read) and keeps it for the searches that follow.
     */
    public PgvectorSearchPlan explainPlan(Filter filter, int k) {
        return explain(Optional.of(Objects.requireNonNull(filter, "filter")), k);
    }

    /** {@link #explainPlan(Filter, int)} for a search without a filter. */
    public PgvectorSearchPlan explainPlan(int k) {
        return explain(Optional.empty(), k);
    }

    private PgvectorSearchPlan explain(Optional<Filter> filter, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, was " + k);
        }
        Optional<SqlFragment> where = filter.map(translator::translate);
        try {
            PgvectorSearchPlan plan = searcher.explain(where, k);
            boolean readsDocument = layout().documentColumn().isPresent()
                    && where.map(w -> w.sql().contains(layout().documentSql(""))).orElse(false);
            return readsDocument && !PgvectorSchemaManager.hasDocumentIndex(dataSource, layout())
                    ? plan.withNote("no GIN index serves filters on the document column "
                            + PgvectorTableLayout.quote(layout().documentColumn().orElseThrow())
                            + ", so each such search reads every row; PgvectorSchemaManager.createDocumentIndex builds one")
                    : plan;
        } catch (SQLException e) {
            throw jdbc.failure("pgvector explain failed", e);
        }
    }

    @Override
    public long count() {
        return countWhere(Optional.empty());
    }

    @Override
    public long count(Filter filter) {
        return countWhere(Optional.of(Objects.requireNonNull(filter, "filter")));
    }

    private long countWhere(Optional<Filter> filter) {
        Optional<SqlFragment> where = filter.map(translator::translate);
        String sql = "SELECT count(*) FROM " + table() + Jdbc.where(where);
        try {
            return jdbc.transaction(LocalSettings.forTenant(tenant), c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    Jdbc.bind(c, ps, 1, Jdbc.params(where));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            });
        } catch (SQLException e) {
            throw jdbc.failure("pgvector count failed", e);
        }
    }

    @Override
    public long delete(Collection<String> ids) {
        return deleteIds(ids, Optional.empty());
    }

    @Override
    public long delete(Collection<String> ids, Filter filter) {
        return deleteIds(ids, Optional.of(Objects.requireNonNull(filter, "filter")));
    }

    private long deleteIds(Collection<String> ids, Optional<Filter> filter) {
        List<String> wanted = List.copyOf(new LinkedHashSet<>(ids));
        wanted.forEach(codec::checkId);
        Optional<SqlFragment> where = filter.map(translator::translate);
        if (wanted.isEmpty()) {
            return 0;
        }
        String sql = "DELETE FROM " + table() + " WHERE " + idColumn() + " = ANY(?)"
                + where.map(w -> " AND " + w.sql()).orElse("");
        try {
            return jdbc.transaction(LocalSettings.forTenant(tenant), c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setArray(1, codec.idArray(c, wanted));
                    Jdbc.bind(c, ps, 2, Jdbc.params(where));
                    return (long) ps.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw jdbc.failure("pgvector delete failed", "nothing was deleted", wanted, e);
        }
    }

    @Override
    public long deleteWhere(Filter filter) {
        SqlFragment where = translator.translate(filter);
        try {
            return jdbc.transaction(LocalSettings.forTenant(tenant), c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table() + " WHERE " + where.sql())) {
                    Jdbc.bind(c, ps, 1, where.params());
                    return (long) ps.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw jdbc.failure("pgvector deleteWhere failed", "nothing was deleted", List.of(), e);
        }
    }

    /**
     * In row-level-security mode (see {@link Builder#rowLevelSecurity(String)}), a store whose every transaction
     * first sets {@value PgvectorSchemaManager#TENANT_SETTING} to the tenant, so that the database itself hides
     * other tenants' rows, even from a statement without a WHERE clause. Otherwise this store.
     */
    @Override
    public VectorStore partitionForTenant(String tenantField, String tenantId) {
        if (tenant != null) {
            if (tenant.equals(tenantId) && tenantField.equals(config.rlsTenantField())) {
                return this;
            }
            throw new TenantIsolationException("the partition of tenant '" + tenant
                    + "' cannot be narrowed to another tenant");
        }
        if (config.rlsTenantField() == null) {
            return this;
        }
        if (!config.rlsTenantField().equals(tenantField)) {
            throw new IllegalArgumentException("row-level security is on field '" + config.rlsTenantField()
                    + "', not on '" + tenantField + "'");
        }
        if (tenantId == null || tenantId.isEmpty() || PgText.problem(tenantId) != null) {
            throw new IllegalArgumentException("a tenant id must be a non-empty string PostgreSQL can hold");
        }
        return new PgvectorStore(config, dataSource, null, planner, tenantId);
    }

    /** Closes the connection pool if this store created it from a JDBC URL; never deletes data. */
    @Override
    public void close() {
        if (ownedPool != null) {
            ownedPool.close();
        }
    }

    private String table() {
        return config.layout().qualifiedTable();
    }

    private String idColumn() {
        return PgvectorTableLayout.quote(config.layout().idColumn());
    }

    // ---- configuration ----

    /** What a store and its partitions share, besides the planner. */
    private record Config(PgvectorTableLayout layout, int batchSize, int copyThreshold, String rlsTenantField,
                          Duration callTimeout, Duration bulkLoadTimeout) {
    }

    public static final class Builder {
        private final PgvectorTableLayout layout;
        private DataSource dataSource;
        private String jdbcUrl;
        private long exactMaxRows = 3_000;
        private double exactMaxSelectivity = 0.01;
        private int efSearch = 200;
        private IterativeScan iterativeScan = IterativeScan.RELAXED_ORDER;
        private Integer maxScanTuples;
        private PgvectorSearchPlan.Strategy fixedStrategy;
        private Duration estimateCacheTtl = Duration.ofSeconds(10);
        private int batchSize = 500;
        private int copyThreshold = 5_000;
        private String rlsTenantField;
        private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
        private Duration bulkLoadTimeout = DEFAULT_BULK_LOAD_TIMEOUT;

        private Builder(PgvectorTableLayout layout) {
            this.layout = Objects.requireNonNull(layout, "layout");
        }

        /** Connections come from this data source; the store never closes it. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** The store opens (and on {@link #close()} closes) a HikariCP pool for this URL. */
        public Builder jdbcUrl(String jdbcUrl) {
            this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            return this;
        }

        /**
         * A search runs exactly (filter, then sort by distance) when the filter matches at most this many rows by
         * PostgreSQL's estimate (default 3,000: where an exact scan of 384-dimensional rows stops being faster than
         * the HNSW index, measured in docs/search-strategy.md). 0 leaves only {@link #exactMaxSelectivity}.
         */
        public Builder exactMaxRows(long exactMaxRows) {
            if (exactMaxRows < 0) {
                throw new IllegalArgumentException("exactMaxRows cannot be negative, was " + exactMaxRows);
            }
            this.exactMaxRows = exactMaxRows;
            return this;
        }

        /**
         * A search runs exactly when the filter matches at most this share of the table's rows, however many
         * rows that is (default 0.01: below 1% an iterative HNSW scan must visit about k / selectivity rows, is
         * slower than sorting 1,000 rows and misses more than 5% of the true neighbours). 0 leaves only
         * {@link #exactMaxRows}; with both 0 every search walks the HNSW index.
         */
        public Builder exactMaxSelectivity(double exactMaxSelectivity) {
            if (!(exactMaxSelectivity >= 0 && exactMaxSelectivity <= 1)) {
                throw new IllegalArgumentException("exactMaxSelectivity is a share from 0 to 1, not "
                        + exactMaxSelectivity);
            }
            this.exactMaxSelectivity = exactMaxSelectivity;
            return this;
        }

        /**
         * {@code hnsw.ef_search} for searches that walk the HNSW index: candidates per scan step; higher buys recall
         * (default 200: recall@10 0.98 from 3% to 50% selectivity where 100 gave 0.96 at 50%, for about 0.3 ms more;
         * measured in docs/search-strategy.md).
         * A search for more than this many results raises it to k, up to pgvector's limit of 1000.
         */
        public Builder efSearch(int efSearch) {
            if (efSearch < 1 || efSearch > SearchPlanner.MAX_EF_SEARCH) {
                throw new IllegalArgumentException("hnsw.ef_search is 1 to 1000, not " + efSearch);
            }
            this.efSearch = efSearch;
            return this;
        }

        /** {@code hnsw.iterative_scan} for searches (default {@link IterativeScan#RELAXED_ORDER}). */
        public Builder iterativeScan(IterativeScan iterativeScan) {
            this.iterativeScan = Objects.requireNonNull(iterativeScan, "iterativeScan");
            return this;
        }

        /** {@code hnsw.max_scan_tuples}: where an iterative scan gives up (the server's default is 20,000). */
        public Builder maxScanTuples(int maxScanTuples) {
            if (maxScanTuples < 1) {
                throw new IllegalArgumentException("hnsw.max_scan_tuples must be positive, not " + maxScanTuples);
            }
            this.maxScanTuples = maxScanTuples;
            return this;
        }

        /**
         * Every search runs this plan, and no estimate is made: for tables whose filters all fall on one side of
         * the thresholds, and to measure one plan alone. A search through the HNSW plan that returns fewer than k
         * rows still runs again exactly. By default (unset) each search chooses.
         */
        public Builder fixedStrategy(PgvectorSearchPlan.Strategy fixedStrategy) {
            this.fixedStrategy = Objects.requireNonNull(fixedStrategy, "fixedStrategy");
            return this;
        }

        /**
         * How long a row estimate is reused by searches with the same filter (default 10 s; {@link Duration#ZERO}
         * asks PostgreSQL before every search). The estimate costs a planning round trip, about as much as the
         * rest of a small search, while the statistics it comes from change only when the table is analyzed
         * (autovacuum: at most once a minute, after a tenth of the rows changed); this store forgets its
         * estimates whenever it analyzes the table itself. A stale estimate can cost speed, never completeness:
         * an HNSW plan that returns fewer than k rows is re-run exactly. At most 10,000 filters are kept.
         */
        public Builder estimateCacheTtl(Duration estimateCacheTtl) {
            this.estimateCacheTtl = Durations.notNegative(estimateCacheTtl, "estimateCacheTtl");
            return this;
        }

        /** Rows per INSERT statement (default 500). */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be positive, not " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Upserts of at least this many records go through binary COPY (default 5,000). */
        public Builder copyThreshold(int copyThreshold) {
            if (copyThreshold < 1) {
                throw new IllegalArgumentException("copyThreshold must be positive, not " + copyThreshold);
            }
            this.copyThreshold = copyThreshold;
            return this;
        }

        /**
         * Row-level-security mode, for a table set up with {@link PgvectorSchemaManager#enableRowLevelSecurity}
         * on this tenant field: {@link #partitionForTenant} then returns stores that set the tenant in every
         * transaction. Connect as a role that is neither superuser nor BYPASSRLS, or the policy does nothing.
         */
        public Builder rowLevelSecurity(String tenantField) {
            if (layout.column(tenantField).type() != PgvectorTableLayout.ColumnType.TEXT) {
                throw new IllegalArgumentException("the tenant field '" + tenantField + "' must be in a text column");
            }
            this.rlsTenantField = tenantField;
            return this;
        }

        /**
         * How long each statement of a call may run (default 30 s): PostgreSQL cancels it then
         * ({@code statement_timeout}, set in the call's transaction) and the call throws
         * {@link dev.portafilter.core.StoreTimeoutException} having changed nothing. The client also gives up on a
         * server that stops answering one second later (the connection's socket timeout), and a pool the store
         * opens from a {@link #jdbcUrl} waits this long for a free connection; an exhausted pool's error states its
         * active, idle and waiting connections. Does not apply to {@link PgvectorStore#bulkLoad}.
         */
        public Builder callTimeout(Duration callTimeout) {
            this.callTimeout = Durations.atLeastOneMilli(callTimeout, "callTimeout");
            return this;
        }

        /**
         * The same for {@link PgvectorStore#bulkLoad} (default 30 min), which may rebuild the HNSW index in one
         * statement.
         */
        public Builder bulkLoadTimeout(Duration bulkLoadTimeout) {
            this.bulkLoadTimeout = Durations.atLeastOneMilli(bulkLoadTimeout, "bulkLoadTimeout");
            return this;
        }

        public PgvectorStore build() {
            if ((dataSource == null) == (jdbcUrl == null)) {
                throw new IllegalStateException("set exactly one of dataSource and jdbcUrl");
            }
            Config config = new Config(layout, batchSize, copyThreshold, rlsTenantField, callTimeout, bulkLoadTimeout);
            SearchPlanner planner = new SearchPlanner(layout.qualifiedTable(), new SearchPlanner.Options(exactMaxRows,
                    exactMaxSelectivity, efSearch, iterativeScan, maxScanTuples, fixedStrategy, estimateCacheTtl),
                    Ticker.systemTicker());
            if (dataSource != null) {
                return new PgvectorStore(config, dataSource, null, planner, null);
            }
            HikariConfig pooling = new HikariConfig();
            pooling.setJdbcUrl(jdbcUrl);
            pooling.setPoolName("portafilter-pgvector");
            // HikariCP's floor is 250 ms
            pooling.setConnectionTimeout(Math.max(250, callTimeout.toMillis()));
            // pgjdbc waits for a new connection's login without limit by default: one that went silent there would
            // hold the pool's only connection-adding thread, and the pool would never refill (seconds, fractions too)
            pooling.addDataSourceProperty("loginTimeout", Double.toString(callTimeout.toMillis() / 1000.0));
            HikariDataSource pool = new HikariDataSource(pooling);
            return new PgvectorStore(config, pool, pool, planner, null);
        }
    }
}

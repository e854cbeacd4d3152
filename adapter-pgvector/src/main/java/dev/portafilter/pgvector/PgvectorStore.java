package dev.portafilter.pgvector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.pgvector.PGvector;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.TenantIsolationException;
import dev.portafilter.core.WriteConflictException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.Capability;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.store.Vectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

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
 * <p>Row-level-security mode ({@link Builder#rowLevelSecurity}) adds a wall below the filter: the partition of a
 * tenant sees and writes only that tenant's rows whatever SQL runs. When the policy refuses a write (an id that
 * belongs to a record of another tenant, which the partition cannot see), the upsert throws
 * {@link WriteConflictException} naming every id of the batch, since which one collided stays hidden.
 */
public final class PgvectorStore implements VectorStore {
    /** PostgreSQL's limit on bind parameters in one statement is 65,535. */
    private static final int MAX_PARAMS = 60_000;
    private static final int COPY_BUFFER_BYTES = 1 << 16;
    private static final int MAX_CACHED_ESTIMATES = 10_000;
    /** SQLSTATE 42501: also what row-level security raises when it refuses a written row. */
    private static final String INSUFFICIENT_PRIVILEGE = "42501";
    private static final String UNIQUE_VIOLATION = "23505";
    /** What COPY FROM raises on a table with row-level security. */
    private static final String FEATURE_NOT_SUPPORTED = "0A000";
    /** The alias of the target table in upserts: the existing row, as opposed to EXCLUDED, the new one. */
    private static final String EXISTING = "existing";
    /** A transaction's staging table for binary COPY; dropped at commit. */
    private static final String STAGING_NAME = "portafilter_staging";
    /** Qualified with pg_temp so that no table of that name on the search path can stand in for it. */
    private static final String STAGING = "pg_temp." + STAGING_NAME;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The binary COPY header's signature. */
    private static final byte[] COPY_SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};

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

    private final Settings settings;
    private final DataSource dataSource;
    private final HikariDataSource ownedPool;
    /** Set on a tenant partition in row-level-security mode. */
    private final String tenant;
    private final PgvectorFilterTranslator translator;
    /** For the guard in {@code ON CONFLICT ... WHERE}, where a bare column could mean the existing or the new row. */
    private final PgvectorFilterTranslator existingRowTranslator;
    private final RowCodec codec;
    private final SearchPlanner planner;
    /** Row estimates by filter (and partition), shared with this store's partitions; null when not kept. */
    private final Cache<EstimateKey, RowEstimate> estimates;

    private PgvectorStore(Settings settings, DataSource dataSource, HikariDataSource ownedPool, String tenant,
                          Cache<EstimateKey, RowEstimate> estimates) {
        this.settings = settings;
        this.estimates = estimates;
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
        this.tenant = tenant;
        this.translator = new PgvectorFilterTranslator(settings.layout);
        this.existingRowTranslator = new PgvectorFilterTranslator(settings.layout, EXISTING);
        this.codec = new RowCodec(settings.layout);
        this.planner = new SearchPlanner(settings.exactMaxRows, settings.exactMaxSelectivity, settings.efSearch,
                settings.iterativeScan, settings.maxScanTuples, settings.fixedStrategy);
    }

    public static Builder builder(PgvectorTableLayout layout) {
        return new Builder(layout);
    }

    public PgvectorTableLayout layout() {
        return settings.layout;
    }

    @Override
    public String backend() {
        return PgvectorFilterTranslator.BACKEND;
    }

    @Override
    public MetadataSchema schema() {
        return settings.layout.metadataSchema();
    }

    @Override
    public int dimension() {
        return settings.layout.dimension();
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
    public void upsert(List<VectorRecord> records, Optional<Filter> guard) {
        List<VectorRecord> batch = Vectors.validateBatch(records, this);
        batch.forEach(codec::check);
        Optional<Guard> g = guard.map(f -> new Guard(existingRowTranslator.translate(f),
                translator.translate(new Filter.Not(f))));
        if (batch.isEmpty()) {
            return;
        }
        boolean staged = batch.size() >= settings.copyThreshold;
        try {
            inTransaction(c -> {
                write(c, batch, g, staged);
                if (staged) {
                    analyzeAfterLargeWrite(c, batch.size());
                }
                return null;
            });
        } catch (SQLException e) {
            if (tenant != null && isRowLevelSecurityRefusal(e)) {
                // the policy hides another tenant's record with one of these ids and refused to update it, or
                // refused a record of another tenant; the transaction rolled back
                throw new WriteConflictException(ids(batch));
            }
            throw new StoreException("pgvector upsert failed, nothing was written: " + e.getMessage(), ids(batch), e);
        }
    }

    /**
     * Loads many records with binary {@code COPY}, all or nothing, replacing records with the same ids. When the
     * table is empty and has the HNSW index that {@link PgvectorSchemaManager} creates, and this role owns the
     * table, the index is dropped before the load and built once after it, in the same transaction (about ten
     * times faster than maintaining it row by row); other sessions wait for the table until the load commits.
     * Through a tenant partition the index is left alone. The table is analyzed after a load into an empty table,
     * or of at least a tenth of its rows (see {@link #upsert}). Use {@link #upsert} with a guard for writes that must not replace
     * other records.
     */
    public void bulkLoad(List<VectorRecord> records) {
        List<VectorRecord> batch = Vectors.validateBatch(records, this);
        batch.forEach(codec::check);
        if (batch.isEmpty()) {
            return;
        }
        try {
            inTransaction(c -> {
                boolean rebuild = tenant == null && dropVectorIndexIfEmpty(c);
                write(c, batch, Optional.empty(), true);
                if (rebuild) {
                    execute(c, PgvectorSchemaManager.vectorIndexSql(settings.layout));
                    // the table was empty: its statistics, if any, describe rows that are gone
                    analyze(c);
                } else {
                    analyzeAfterLargeWrite(c, batch.size());
                }
                return null;
            });
        } catch (SQLException e) {
            throw new StoreException("pgvector bulk load failed, nothing was written: " + e.getMessage(), ids(batch), e);
        }
    }

    /**
     * Chooses the plan from PostgreSQL's estimate of how many rows the filter matches (see {@link #explainPlan};
     * the estimate is kept for {@link Builder#estimateCacheTtl}) and runs it. When an HNSW plan returns fewer than
     * k rows (fewer rows match than estimated, or the iterative scan reached {@code hnsw.max_scan_tuples}), the
     * search runs again with the exact plan: a search returns k rows whenever k rows match.
     */
    @Override
    public List<SearchHit> search(SearchRequest request) {
        float[] query = request.vector();
        Vectors.checkQuery(query, dimension());
        Optional<SqlFragment> where = request.filter().map(translator::translate);
        int k = request.topK();
        try {
            Searched first = transaction(List.of(), c -> {
                List<Object> pending = searchSettings();
                PgvectorSearchPlan plan = plan(c, pending, where, k);
                return new Searched(plan, nearest(c, pending, plan, query, where, k));
            });
            if (first.hits().size() == k || first.plan().strategy() == PgvectorSearchPlan.Strategy.EXACT) {
                return first.hits();
            }
            PgvectorSearchPlan exact = planner.exactAfter(first.plan(), first.hits().size());
            return transaction(List.of(), c -> nearest(c, searchSettings(), exact, query, where, k));
        } catch (SQLException e) {
            throw new StoreException("pgvector search failed: " + e.getMessage(), e);
        }
    }

    /**
     * The plan a search with this filter and k would run now, and why: the exact plan (filter, then sort by
     * distance) while at most {@link Builder#exactMaxRows} rows or {@link Builder#exactMaxSelectivity} of the table
     * match, as estimated by PostgreSQL from the typed columns' statistics; else the HNSW index with an iterative
     * scan (or the {@link Builder#fixedStrategy}, with the estimate for information). Asks for a fresh estimate
     * (one planning round trip, no row is read) and keeps it for the searches that follow.
     */
    public PgvectorSearchPlan explainPlan(Optional<Filter> filter, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, was " + k);
        }
        Optional<SqlFragment> where = filter.map(translator::translate);
        try {
            return transaction(List.of(), c -> planner.choose(estimate(c, searchSettings(), where), k));
        } catch (SQLException e) {
            throw new StoreException("pgvector explain failed: " + e.getMessage(), e);
        }
    }

    /** {@link #explainPlan(Optional, int)} for a filtered search. */
    public PgvectorSearchPlan explainPlan(Filter filter, int k) {
        return explainPlan(Optional.of(filter), k);
    }

    @Override
    public long count(Optional<Filter> filter) {
        Optional<SqlFragment> where = filter.map(translator::translate);
        String sql = "SELECT count(*) FROM " + table() + where.map(w -> " WHERE " + w.sql()).orElse("");
        try {
            return inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    bind(c, ps, 1, params(where));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getLong(1);
                    }
                }
            });
        } catch (SQLException e) {
            throw new StoreException("pgvector count failed: " + e.getMessage(), e);
        }
    }

    @Override
    public long delete(Collection<String> ids, Optional<Filter> filter) {
        List<String> wanted = List.copyOf(new LinkedHashSet<>(ids));
        wanted.forEach(codec::checkId);
        Optional<SqlFragment> where = filter.map(translator::translate);
        if (wanted.isEmpty()) {
            return 0;
        }
        String sql = "DELETE FROM " + table() + " WHERE " + idColumn() + " = ANY(?)"
                + where.map(w -> " AND " + w.sql()).orElse("");
        try {
            return inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setArray(1, codec.idArray(c, wanted));
                    bind(c, ps, 2, params(where));
                    return (long) ps.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw new StoreException("pgvector delete failed, nothing was deleted: " + e.getMessage(), e);
        }
    }

    @Override
    public long deleteWhere(Filter filter) {
        SqlFragment where = translator.translate(filter);
        try {
            return inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table() + " WHERE " + where.sql())) {
                    bind(c, ps, 1, where.params());
                    return (long) ps.executeUpdate();
                }
            });
        } catch (SQLException e) {
            throw new StoreException("pgvector deleteWhere failed, nothing was deleted: " + e.getMessage(), e);
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
            if (tenant.equals(tenantId) && tenantField.equals(settings.rlsTenantField)) {
                return this;
            }
            throw new TenantIsolationException("the partition of tenant '" + tenant
                    + "' cannot be narrowed to another tenant");
        }
        if (settings.rlsTenantField == null) {
            return this;
        }
        if (!settings.rlsTenantField.equals(tenantField)) {
            throw new IllegalArgumentException("row-level security is on field '" + settings.rlsTenantField
                    + "', not on '" + tenantField + "'");
        }
        if (tenantId == null || tenantId.isEmpty() || PgText.problem(tenantId) != null) {
            throw new IllegalArgumentException("a tenant id must be a non-empty string PostgreSQL can hold");
        }
        return new PgvectorStore(settings, dataSource, null, tenantId, estimates);
    }

    /** Closes the connection pool if this store created it from a JDBC URL; never deletes data. */
    @Override
    public void close() {
        if (ownedPool != null) {
            ownedPool.close();
        }
    }

    // ---- writing ----

    /** A guard as the condition a replaced row must meet (over {@link #EXISTING}), and its exact complement. */
    private record Guard(SqlFragment allowed, SqlFragment forbidden) {
    }

    /**
     * Checks the guard under row locks, then inserts or replaces every record: as multi-row VALUES, or through a
     * binary COPY into a staging table when {@code staged}.
     */
    private void write(Connection c, List<VectorRecord> batch, Optional<Guard> guard, boolean staged)
            throws SQLException {
        List<String> ids = ids(batch);
        if (staged) {
            if (guard.isEmpty() && tenant == null && copiedStraightIn(c, batch)) {
                return;
            }
            stage(c, batch);
        }
        if (guard.isPresent()) {
            List<String> conflicts = lockConflicts(c, ids, guard.get().forbidden(), staged);
            if (!conflicts.isEmpty()) {
                throw new WriteConflictException(conflicts);
            }
        }
        List<String> columns = codec.columnNames();
        String insert = "INSERT INTO " + table() + " AS " + PgvectorTableLayout.quote(EXISTING)
                + " (" + String.join(", ", columns) + ") ";
        String onConflict = " ON CONFLICT (" + idColumn() + ") DO UPDATE SET " + columns.stream().skip(1)
                .map(col -> col + " = EXCLUDED." + col).collect(Collectors.joining(", "))
                // checked again on the locked existing row: a concurrent writer may have inserted it after our check
                + guard.map(g -> " WHERE " + g.allowed().sql() + " RETURNING " + idColumn()).orElse("");
        List<Object> guardParams = guard.map(g -> g.allowed().params()).orElse(List.of());
        Set<String> written = new HashSet<>();
        if (staged) {
            String sql = insert + "SELECT " + String.join(", ", columns) + " FROM " + STAGING + onConflict;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                bind(c, ps, 1, guardParams);
                runWrite(ps, guard.isPresent(), written);
            }
        } else {
            String row = "(" + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
            int rowsPerStatement = Math.max(1, Math.min(settings.batchSize,
                    (MAX_PARAMS - guardParams.size()) / columns.size()));
            for (int from = 0; from < batch.size(); from += rowsPerStatement) {
                List<VectorRecord> chunk = batch.subList(from, Math.min(batch.size(), from + rowsPerStatement));
                String sql = insert + "VALUES " + String.join(", ", Collections.nCopies(chunk.size(), row))
                        + onConflict;
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    int next = 1;
                    for (VectorRecord r : chunk) {
                        next = codec.bind(c, ps, next, r);
                    }
                    bind(c, ps, next, guardParams);
                    runWrite(ps, guard.isPresent(), written);
                }
            }
        }
        if (guard.isPresent() && written.size() < ids.size()) {
            throw new WriteConflictException(ids.stream().filter(id -> !written.contains(id)).toList());
        }
    }

    private static boolean isRowLevelSecurityRefusal(SQLException e) {
        return INSUFFICIENT_PRIVILEGE.equals(e.getSQLState()) && e.getMessage() != null
                && e.getMessage().contains("row-level security");
    }

    private static void runWrite(PreparedStatement ps, boolean returning, Set<String> written) throws SQLException {
        if (!returning) {
            ps.executeUpdate();
            return;
        }
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                written.add(rs.getString(1));
            }
        }
    }

    /** Existing records with these ids that the guard forbids replacing, locked until the transaction ends. */
    private List<String> lockConflicts(Connection c, List<String> ids, SqlFragment forbidden, boolean staged)
            throws SQLException {
        String sql = "SELECT " + idColumn() + " FROM " + table() + " WHERE " + idColumn()
                + (staged ? " IN (SELECT " + idColumn() + " FROM " + STAGING + ")" : " = ANY(?)")
                + " AND " + forbidden.sql() + " FOR UPDATE";
        Set<String> found = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int next = 1;
            if (!staged) {
                ps.setArray(next++, codec.idArray(c, ids));
            }
            bind(c, ps, next, forbidden.params());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
        }
        return ids.stream().filter(found::contains).toList();
    }

    /**
     * Binary COPY straight into the table: each row written once, without a staging table or conflict handling,
     * which is right when every id is new (the usual load). Under a savepoint: when an id exists already (a unique
     * violation) or the table has row-level security (COPY FROM refuses it), rolls back to the savepoint and
     * returns false, and the batch goes through the staging table instead.
     */
    private boolean copiedStraightIn(Connection c, List<VectorRecord> batch) throws SQLException {
        Savepoint savepoint = c.setSavepoint();
        try {
            copy(c, table(), batch);
            c.releaseSavepoint(savepoint);
            return true;
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState()) || FEATURE_NOT_SUPPORTED.equals(e.getSQLState())) {
                c.rollback(savepoint);
                return false;
            }
            throw e;
        }
    }

    /** Creates the transaction's staging table and fills it with binary COPY. */
    private void stage(Connection c, List<VectorRecord> batch) throws SQLException {
        List<String> columns = codec.columnNames();
        List<String> types = codec.columnTypes();
        List<String> definitions = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            definitions.add(columns.get(i) + " " + types.get(i));
        }
        execute(c, "CREATE TEMP TABLE " + STAGING_NAME + " (" + String.join(", ", definitions) + ") ON COMMIT DROP");
        copy(c, STAGING, batch);
    }

    /** Binary COPY of the batch into the table (the layout's columns). */
    private void copy(Connection c, String target, List<VectorRecord> batch) throws SQLException {
        List<String> columns = codec.columnNames();
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI()
                .copyIn("COPY " + target + " (" + String.join(", ", columns) + ") FROM STDIN (FORMAT binary)");
        try {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(COPY_BUFFER_BYTES * 2);
            DataOutputStream out = new DataOutputStream(buffer);
            out.write(COPY_SIGNATURE);
            out.writeInt(0);
            out.writeInt(0);
            for (VectorRecord r : batch) {
                codec.writeBinary(out, r);
                if (buffer.size() >= COPY_BUFFER_BYTES) {
                    copy.writeToCopy(buffer.toByteArray(), 0, buffer.size());
                    buffer.reset();
                }
            }
            out.writeShort(-1);
            copy.writeToCopy(buffer.toByteArray(), 0, buffer.size());
            copy.endCopy();
        } catch (IOException | SQLException | RuntimeException e) {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
            throw e instanceof SQLException sql ? sql : new SQLException("binary COPY failed: " + e.getMessage(), e);
        }
    }

    /**
     * Drops the HNSW index when it exists, this role owns the table, and the table is empty (checked under an
     * exclusive lock); true when it did.
     */
    private boolean dropVectorIndexIfEmpty(Connection c) throws SQLException {
        String index = PgvectorTableLayout.quote(settings.layout.schemaName()) + "."
                + PgvectorTableLayout.quote(PgvectorSchemaManager.vectorIndexName(settings.layout));
        String sql = "SELECT to_regclass(?) IS NOT NULL AND pg_has_role(relowner, 'MEMBER') FROM pg_class "
                + "WHERE oid = to_regclass(?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, index);
            ps.setString(2, table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return false;
                }
            }
        }
        execute(c, "LOCK TABLE " + table() + " IN ACCESS EXCLUSIVE MODE");
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM " + table() + ")")) {
            rs.next();
            if (rs.getBoolean(1)) {
                return false;
            }
        }
        execute(c, PgvectorSchemaManager.dropVectorIndexSql(settings.layout));
        return true;
    }

    // ---- searching ----

    private record Searched(PgvectorSearchPlan plan, List<SearchHit> hits) {
    }

    /** What an estimate was asked for: the filter's SQL and values, and the partition's tenant (RLS mode). */
    private record EstimateKey(String tenant, Optional<SqlFragment> where) {
    }

    @FunctionalInterface
    interface PlannedWork<T> {
        T run(Connection c, PgvectorSearchPlan plan) throws SQLException;
    }

    /**
     * Runs the work in a search transaction after choosing the plan and setting (locally) what it needs, for
     * tests that look at the settings; searches send the settings with their statement instead.
     */
    <T> T inSearchTransaction(Optional<SqlFragment> where, int k, PlannedWork<T> work) throws SQLException {
        return transaction(List.of(), c -> {
            List<Object> pending = searchSettings();
            PgvectorSearchPlan plan = plan(c, pending, where, k);
            pending.addAll(planner.settings(plan));
            setLocal(c, pending);
            return work.run(c, plan);
        });
    }

    /**
     * The settings every search transaction starts with: the tenant in row-level-security mode, and
     * {@code plan_cache_mode = force_custom_plan}: after five executions on one pooled connection, the JDBC driver
     * prepares a statement on the server, and PostgreSQL may then reuse a generic plan that cannot see how many
     * rows a tenant has, nor settings made after it was planned. Mutable: they are sent with the first statement.
     */
    private List<Object> searchSettings() {
        List<Object> pairs = new ArrayList<>(tenantSettings());
        pairs.addAll(List.of("plan_cache_mode", "force_custom_plan"));
        return pairs;
    }

    private List<Object> tenantSettings() {
        return tenant == null ? List.of() : List.of(PgvectorSchemaManager.TENANT_SETTING, tenant);
    }

    /** The fixed strategy's plan, or the plan for the (cached or fresh) estimate. */
    private PgvectorSearchPlan plan(Connection c, List<Object> pending, Optional<SqlFragment> where, int k)
            throws SQLException {
        if (planner.isFixed()) {
            return planner.fixed(k);
        }
        RowEstimate cached = estimates == null ? null : estimates.getIfPresent(new EstimateKey(tenant, where));
        return planner.choose(cached != null ? cached : estimate(c, pending, where), k);
    }

    /**
     * Asks PostgreSQL, in one round trip (after the pending settings), for its row estimates of the filtered rows
     * and of the whole table (from the columns' statistics; planning only, no row is read) and for the table's
     * {@code reltuples}; keeps them for {@link Builder#estimateCacheTtl}.
     */
    private RowEstimate estimate(Connection c, List<Object> pending, Optional<SqlFragment> where) throws SQLException {
        String sql = "EXPLAIN (FORMAT JSON) SELECT 1 FROM " + table() + where.map(w -> " WHERE " + w.sql()).orElse("")
                + "; EXPLAIN (FORMAT JSON) SELECT 1 FROM " + table()
                + "; SELECT reltuples FROM pg_class WHERE oid = to_regclass(?)";
        RowEstimate estimate = execute(c, pending, sql, (ps, next) -> ps.setString(bind(c, ps, next, params(where)),
                table()), ps -> {
            double filtered = planRows(ps.getResultSet());
            ps.getMoreResults();
            double total = planRows(ps.getResultSet());
            ps.getMoreResults();
            try (ResultSet rs = ps.getResultSet()) {
                rs.next();
                return new RowEstimate(filtered, total, rs.getDouble(1));
            }
        });
        if (estimates != null) {
            estimates.put(new EstimateKey(tenant, where), estimate);
        }
        return estimate;
    }

    private static double planRows(ResultSet explain) throws SQLException {
        try (explain) {
            explain.next();
            JsonNode plan = JSON.readTree(explain.getString(1)).path(0).path("Plan").path("Plan Rows");
            if (!plan.isNumber()) {
                throw new SQLException("EXPLAIN (FORMAT JSON) gave no \"Plan Rows\"");
            }
            return plan.asDouble();
        } catch (JsonProcessingException e) {
            throw new SQLException("EXPLAIN (FORMAT JSON) gave no JSON: " + e.getMessage(), e);
        }
    }

    /** Runs the plan's search statement; hits nearest first. */
    private List<SearchHit> nearest(Connection c, List<Object> pending, PgvectorSearchPlan plan, float[] query,
                                    Optional<SqlFragment> where, int k) throws SQLException {
        List<SearchHit> hits = searchStatement(c, pending, plan, "", query, where, k, ps -> {
            List<SearchHit> rows = new ArrayList<>();
            try (ResultSet rs = ps.getResultSet()) {
                while (rs.next()) {
                    // <=> is the cosine distance, 1 - cosine similarity
                    rows.add(new SearchHit(rs.getString(1), 1 - rs.getDouble(3), rs.getString(2),
                            codec.readMetadata(rs, 4)));
                }
            }
            return rows;
        });
        // a relaxed-order iterative scan may return rows slightly out of order (the sort is stable)
        hits.sort(Comparator.comparingDouble(SearchHit::score).reversed());
        return List.copyOf(hits);
    }

    /**
     * Runs the plan's search statement, after {@code prefix} ({@code EXPLAIN } for tests), with the pending and the
     * plan's settings sent in the same round trip.
     */
    private <T> T searchStatement(Connection c, List<Object> pending, PgvectorSearchPlan plan, String prefix,
                                  float[] query, Optional<SqlFragment> where, int k, Results<T> results)
            throws SQLException {
        pending.addAll(planner.settings(plan));
        return execute(c, pending, prefix + searchSql(plan, where), (ps, next) -> bindSearch(c, ps, next, query,
                where, k), results);
    }

    /**
     * Filtered, nearest first by {@code <=>}, k rows. The exact plan orders by {@code (embedding <=> ?) + 0}, an
     * expression the HNSW index cannot serve, so that the planner must filter first (B-tree, bitmap or
     * sequential scan) and sort; the HNSW plan orders by {@code embedding <=> ?} with sorting disabled.
     * Columns: id, text, distance, metadata columns; ordered by position, so no alias can clash with a column.
     */
    private String searchSql(PgvectorSearchPlan plan, Optional<SqlFragment> where) {
        PgvectorTableLayout layout = settings.layout;
        String distance = PgvectorTableLayout.quote(layout.embeddingColumn()) + " <=> ?";
        List<String> columns = new ArrayList<>();
        columns.add(idColumn());
        columns.add(PgvectorTableLayout.quote(layout.textColumn()));
        columns.add(plan.strategy() == PgvectorSearchPlan.Strategy.EXACT ? "(" + distance + ") + 0" : distance);
        layout.columns().forEach(col -> columns.add(col.sqlName()));
        return "SELECT " + String.join(", ", columns) + " FROM " + table()
                + where.map(w -> " WHERE " + w.sql()).orElse("") + " ORDER BY 3 LIMIT ?";
    }

    private static void bindSearch(Connection c, PreparedStatement ps, int first, float[] query,
                                   Optional<SqlFragment> where, int topK) throws SQLException {
        ps.setObject(first, new PGvector(query));
        int next = bind(c, ps, first + 1, params(where));
        ps.setInt(next, topK);
    }

    /**
     * The plan PostgreSQL runs for a search, for tests that check which index it uses: {@code EXPLAIN} of the
     * search statement, sent exactly as a search sends it (with its settings, in one round trip).
     */
    List<String> explainSearch(SearchRequest request) throws SQLException {
        Optional<SqlFragment> where = request.filter().map(translator::translate);
        int k = request.topK();
        return transaction(List.of(), c -> {
            List<Object> pending = searchSettings();
            return searchStatement(c, pending, plan(c, pending, where, k), "EXPLAIN ", request.vector(), where, k,
                    ps -> {
                        List<String> lines = new ArrayList<>();
                        try (ResultSet rs = ps.getResultSet()) {
                            while (rs.next()) {
                                lines.add(rs.getString(1));
                            }
                        }
                        return lines;
                    });
        });
    }

    // ---- transactions and binding ----

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    private interface Binder {
        /** Binds the statement's values from parameter index {@code first}. */
        void bind(PreparedStatement ps, int first) throws SQLException;
    }

    @FunctionalInterface
    private interface Results<T> {
        /** Reads the statement's results; the first is the current result. */
        T read(PreparedStatement ps) throws SQLException;
    }

    /**
     * Runs one statement (or several, separated by {@code ;}) preceded, in the same round trip, by
     * {@code set_config(name, value, true)} for the pending settings, which are then cleared: the driver sends the
     * statements of one {@code PreparedStatement} together, and the server runs them in order, so the settings are
     * in force when the statement is planned.
     */
    private static <T> T execute(Connection c, List<Object> pending, String sql, Binder binder, Results<T> results)
            throws SQLException {
        boolean settings = !pending.isEmpty();
        try (PreparedStatement ps = c.prepareStatement(settings ? setConfigSql(pending) + "; " + sql : sql)) {
            binder.bind(ps, bind(c, ps, 1, pending));
            pending.clear();
            ps.execute();
            if (settings) {
                ps.getMoreResults();
            }
            return results.read(ps);
        }
    }

    /**
     * Runs the work in one transaction on a connection from the pool, after {@code SET LOCAL} of the tenant in
     * row-level-security mode. Local settings end with the transaction, committed or not, so the connection
     * returns to the pool as it came.
     */
    <T> T inTransaction(SqlWork<T> work) throws SQLException {
        return transaction(tenantSettings(), work);
    }

    /** A transaction that first sets {@code local} (name-value pairs) with {@code SET LOCAL}. */
    private <T> T transaction(List<Object> local, SqlWork<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                setLocal(c, local);
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollbackFailed) {
                    e.addSuppressed(rollbackFailed);
                }
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    /** {@code set_config(name, value, true)} (that is, {@code SET LOCAL}) for name-value pairs, in one statement. */
    private static void setLocal(Connection c, List<?> nameValuePairs) throws SQLException {
        if (nameValuePairs.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(setConfigSql(nameValuePairs))) {
            bind(c, ps, 1, List.copyOf(nameValuePairs));
            ps.executeQuery().close();
        }
    }

    private static String setConfigSql(List<?> nameValuePairs) {
        return "SELECT " + String.join(", ", Collections.nCopies(nameValuePairs.size() / 2, "set_config(?, ?, true)"));
    }

    /**
     * Analyzes the table after a write through COPY of at least a tenth of its rows (or into a table never
     * analyzed), when this role owns the table (otherwise autovacuum does it later). Row estimates choose each
     * search's plan: without fresh statistics a new tenant looks empty, or a grown one small.
     */
    private void analyzeAfterLargeWrite(Connection c, int written) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT reltuples, pg_has_role(relowner, 'MEMBER') FROM pg_class WHERE oid = to_regclass(?)")) {
            ps.setString(1, table());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(2) || (rs.getDouble(1) >= 0 && written < rs.getDouble(1) / 10)) {
                    return;
                }
            }
        }
        analyze(c);
    }

    /** ANALYZE, and forget the estimates made from the old statistics. */
    private void analyze(Connection c) throws SQLException {
        execute(c, "ANALYZE " + table());
        if (estimates != null) {
            estimates.invalidateAll();
        }
    }

    /** Binds typed values from parameter index {@code first}; returns the next index. */
    private static int bind(Connection c, PreparedStatement ps, int first, List<Object> params) throws SQLException {
        int i = first;
        for (Object p : params) {
            if (p instanceof String s) {
                ps.setString(i, s);
            } else if (p instanceof Long l) {
                ps.setLong(i, l);
            } else if (p instanceof Double d) {
                ps.setDouble(i, d);
            } else if (p instanceof Boolean b) {
                ps.setBoolean(i, b);
            } else if (p instanceof List<?> list) {
                ps.setArray(i, c.createArrayOf(arrayType(list.get(0)), list.toArray()));
            } else {
                throw new IllegalArgumentException("cannot bind " + p.getClass().getName());
            }
            i++;
        }
        return i;
    }

    private static String arrayType(Object element) {
        if (element instanceof String) {
            return "text";
        }
        if (element instanceof Long) {
            return "int8";
        }
        if (element instanceof Double) {
            return "float8";
        }
        if (element instanceof Boolean) {
            return "bool";
        }
        throw new IllegalArgumentException("cannot bind an array of " + element.getClass().getName());
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static List<Object> params(Optional<SqlFragment> where) {
        return where.map(SqlFragment::params).orElse(List.of());
    }

    private static List<String> ids(List<VectorRecord> batch) {
        return batch.stream().map(VectorRecord::id).toList();
    }

    private String table() {
        return settings.layout.qualifiedTable();
    }

    private String idColumn() {
        return PgvectorTableLayout.quote(settings.layout.idColumn());
    }

    // ---- configuration ----

    private record Settings(PgvectorTableLayout layout, long exactMaxRows, double exactMaxSelectivity, int efSearch,
                            IterativeScan iterativeScan, Integer maxScanTuples, PgvectorSearchPlan.Strategy fixedStrategy,
                            int batchSize, int copyThreshold, String rlsTenantField) {
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
            if (estimateCacheTtl.isNegative()) {
                throw new IllegalArgumentException("estimateCacheTtl cannot be negative, was " + estimateCacheTtl);
            }
            this.estimateCacheTtl = estimateCacheTtl;
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

        public PgvectorStore build() {
            if ((dataSource == null) == (jdbcUrl == null)) {
                throw new IllegalStateException("set exactly one of dataSource and jdbcUrl");
            }
            Settings settings = new Settings(layout, exactMaxRows, exactMaxSelectivity, efSearch, iterativeScan,
                    maxScanTuples, fixedStrategy, batchSize, copyThreshold, rlsTenantField);
            Cache<EstimateKey, RowEstimate> estimates = estimateCacheTtl.isZero() || fixedStrategy != null ? null
                    : Caffeine.newBuilder().expireAfterWrite(estimateCacheTtl).maximumSize(MAX_CACHED_ESTIMATES).build();
            if (dataSource != null) {
                return new PgvectorStore(settings, dataSource, null, null, estimates);
            }
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(jdbcUrl);
            config.setPoolName("portafilter-pgvector");
            HikariDataSource pool = new HikariDataSource(config);
            return new PgvectorStore(settings, pool, pool, null, estimates);
        }
    }
}

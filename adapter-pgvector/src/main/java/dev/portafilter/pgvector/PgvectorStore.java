package dev.portafilter.pgvector;

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
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
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
 * <p>Every operation runs in one transaction. Settings are made with {@code set_config(..., true)}, i.e.
 * {@code SET LOCAL}, inside it, so a pooled connection goes back to the pool unchanged. Search sets
 * {@code hnsw.iterative_scan} and {@code hnsw.ef_search}: without iterative scan, a filter that keeps 1% of the
 * rows gets well under k results from the HNSW index, because the index hands over only ef_search candidates
 * before the filter runs.
 *
 * <p>Upserts are all-or-nothing per call: {@code INSERT ... ON CONFLICT (id) DO UPDATE} in batches, or binary
 * {@code COPY} through a staging table for large batches. A guard is checked under row locks before anything
 * is written, and again by the {@code ON CONFLICT ... WHERE}, so a concurrent writer cannot slip past it.
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
    /** SQLSTATE 42501: also what row-level security raises when it refuses a written row. */
    private static final String INSUFFICIENT_PRIVILEGE = "42501";
    /** The alias of the target table in upserts: the existing row, as opposed to EXCLUDED, the new one. */
    private static final String EXISTING = "existing";
    /** A transaction's staging table for binary COPY; dropped at commit. */
    private static final String STAGING_NAME = "portafilter_staging";
    /** Qualified with pg_temp so that no table of that name on the search path can stand in for it. */
    private static final String STAGING = "pg_temp." + STAGING_NAME;
    private static final int NOT_A_SEARCH = 0;
    private static final int MAX_EF_SEARCH = 1000;
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

    private PgvectorStore(Settings settings, DataSource dataSource, HikariDataSource ownedPool, String tenant) {
        this.settings = settings;
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
        this.tenant = tenant;
        this.translator = new PgvectorFilterTranslator(settings.layout);
        this.existingRowTranslator = new PgvectorFilterTranslator(settings.layout, EXISTING);
        this.codec = new RowCodec(settings.layout);
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
     * times faster than maintaining it row by row), and the table is analyzed; other sessions wait for the table
     * until the load commits. Through a tenant partition the index is left alone. Use {@link #upsert} with a guard
     * for writes that must not replace other records.
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
                    // fresh statistics, so the planner knows how selective each tenant is from the first query on
                    execute(c, "ANALYZE " + table());
                }
                return null;
            });
        } catch (SQLException e) {
            throw new StoreException("pgvector bulk load failed, nothing was written: " + e.getMessage(), ids(batch), e);
        }
    }

    @Override
    public List<SearchHit> search(SearchRequest request) {
        float[] query = request.vector();
        Vectors.checkQuery(query, dimension());
        Optional<SqlFragment> where = request.filter().map(translator::translate);
        try {
            return inSearchTransaction(request.topK(), c -> {
                try (PreparedStatement ps = c.prepareStatement(searchSql(where))) {
                    bindSearch(c, ps, query, where, request.topK());
                    List<SearchHit> hits = new ArrayList<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            // <=> is the cosine distance, 1 - cosine similarity
                            hits.add(new SearchHit(rs.getString(1), 1 - rs.getDouble(3), rs.getString(2),
                                    codec.readMetadata(rs, 4)));
                        }
                    }
                    return List.copyOf(hits);
                }
            });
        } catch (SQLException e) {
            throw new StoreException("pgvector search failed: " + e.getMessage(), e);
        }
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
        return new PgvectorStore(settings, dataSource, null, tenantId);
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

    /** Creates the transaction's staging table and fills it with binary COPY. */
    private void stage(Connection c, List<VectorRecord> batch) throws SQLException {
        List<String> columns = codec.columnNames();
        List<String> types = codec.columnTypes();
        List<String> definitions = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            definitions.add(columns.get(i) + " " + types.get(i));
        }
        execute(c, "CREATE TEMP TABLE " + STAGING_NAME + " (" + String.join(", ", definitions) + ") ON COMMIT DROP");
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI()
                .copyIn("COPY " + STAGING + " (" + String.join(", ", columns) + ") FROM STDIN (FORMAT binary)");
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

    /**
     * Nearest first by {@code <=>}, filtered, k rows, then sorted again: relaxed-order iterative scans may return
     * rows slightly out of order, and the MATERIALIZED CTE keeps the planner from merging the two sorts.
     * Columns: id, text, distance, metadata columns; ordered by position, so no alias can clash with a column.
     */
    private String searchSql(Optional<SqlFragment> where) {
        PgvectorTableLayout layout = settings.layout;
        List<String> columns = new ArrayList<>();
        columns.add(idColumn());
        columns.add(PgvectorTableLayout.quote(layout.textColumn()));
        columns.add(PgvectorTableLayout.quote(layout.embeddingColumn()) + " <=> ?");
        layout.columns().forEach(col -> columns.add(col.sqlName()));
        return "WITH nearest AS MATERIALIZED (SELECT " + String.join(", ", columns) + " FROM " + table()
                + where.map(w -> " WHERE " + w.sql()).orElse("") + " ORDER BY 3 LIMIT ?)"
                + " SELECT * FROM nearest ORDER BY 3";
    }

    private void bindSearch(Connection c, PreparedStatement ps, float[] query, Optional<SqlFragment> where, int topK)
            throws SQLException {
        ps.setObject(1, new PGvector(query));
        int next = bind(c, ps, 2, params(where));
        ps.setInt(next, topK);
    }

    /** The plan of a search, for tests that check which index the planner uses. */
    List<String> explainSearch(SearchRequest request) throws SQLException {
        Optional<SqlFragment> where = request.filter().map(translator::translate);
        return inSearchTransaction(request.topK(), c -> {
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + searchSql(where))) {
                bindSearch(c, ps, request.vector(), where, request.topK());
                List<String> plan = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        plan.add(rs.getString(1));
                    }
                }
                return plan;
            }
        });
    }

    // ---- transactions and binding ----

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs the work in one transaction on a connection from the pool, after {@code SET LOCAL} of the tenant in
     * row-level-security mode. Local settings end with the transaction, committed or not, so the connection
     * returns to the pool as it came.
     */
    <T> T inTransaction(SqlWork<T> work) throws SQLException {
        return transaction(NOT_A_SEARCH, work);
    }

    /** {@link #inTransaction}, also with {@code SET LOCAL} of the HNSW scan settings for a top-k search. */
    <T> T inSearchTransaction(int topK, SqlWork<T> work) throws SQLException {
        return transaction(topK, work);
    }

    private <T> T transaction(int searchTopK, SqlWork<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                applyLocalSettings(c, searchTopK);
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

    private void applyLocalSettings(Connection c, int searchTopK) throws SQLException {
        List<Object> nameValuePairs = new ArrayList<>();
        if (tenant != null) {
            nameValuePairs.addAll(List.of(PgvectorSchemaManager.TENANT_SETTING, tenant));
        }
        if (searchTopK != NOT_A_SEARCH) {
            // an index scan yields at most ef_search rows per step: never fewer than k (pgvector allows up to 1000)
            int efSearch = Math.max(settings.efSearch, Math.min(searchTopK, MAX_EF_SEARCH));
            nameValuePairs.addAll(List.of("hnsw.ef_search", Integer.toString(efSearch),
                    "hnsw.iterative_scan", settings.iterativeScan.setting));
            if (settings.maxScanTuples != null) {
                nameValuePairs.addAll(List.of("hnsw.max_scan_tuples", Integer.toString(settings.maxScanTuples)));
            }
        }
        if (nameValuePairs.isEmpty()) {
            return;
        }
        String calls = String.join(", ", Collections.nCopies(nameValuePairs.size() / 2, "set_config(?, ?, true)"));
        try (PreparedStatement ps = c.prepareStatement("SELECT " + calls)) {
            bind(c, ps, 1, nameValuePairs);
            ps.executeQuery().close();
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

    private record Settings(PgvectorTableLayout layout, int efSearch, IterativeScan iterativeScan,
                            Integer maxScanTuples, int batchSize, int copyThreshold, String rlsTenantField) {
    }

    public static final class Builder {
        private final PgvectorTableLayout layout;
        private DataSource dataSource;
        private String jdbcUrl;
        private int efSearch = 100;
        private IterativeScan iterativeScan = IterativeScan.RELAXED_ORDER;
        private Integer maxScanTuples;
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
         * {@code hnsw.ef_search} for searches: candidates per scan step; higher buys recall (default 100). A search
         * for more than this many results raises it to k, up to pgvector's limit of 1000.
         */
        public Builder efSearch(int efSearch) {
            if (efSearch < 1 || efSearch > MAX_EF_SEARCH) {
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
            Settings settings = new Settings(layout, efSearch, iterativeScan, maxScanTuples, batchSize, copyThreshold,
                    rlsTenantField);
            if (dataSource != null) {
                return new PgvectorStore(settings, dataSource, null, null);
            }
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(jdbcUrl);
            config.setPoolName("portafilter-pgvector");
            HikariDataSource pool = new HikariDataSource(config);
            return new PgvectorStore(settings, pool, pool, null);
        }
    }
}

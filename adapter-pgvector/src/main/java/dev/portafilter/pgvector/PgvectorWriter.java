package dev.portafilter.pgvector;

import dev.portafilter.core.WriteConflictException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.store.VectorRecord;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The store's write path: upserts as multi-row {@code INSERT ... ON CONFLICT (id) DO UPDATE}, or binary
 * {@code COPY} for large batches (straight into the table when every id is new, else through a staging table);
 * the guard, checked under row locks before anything is written and again by the {@code ON CONFLICT ... WHERE};
 * the HNSW index rebuild of a bulk load; and {@code ANALYZE} after large writes. Every call is one transaction.
 */
final class PgvectorWriter {
    /** PostgreSQL's limit on bind parameters in one statement is 65,535. */
    private static final int MAX_PARAMS = 60_000;
    private static final int COPY_BUFFER_BYTES = 1 << 16;
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
    /** The binary COPY header's signature. */
    private static final byte[] COPY_SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};

    private final PgvectorTableLayout layout;
    private final Jdbc jdbc;
    private final RowCodec codec;
    private final PgvectorFilterTranslator translator;
    /** For the guard in {@code ON CONFLICT ... WHERE}, where a bare column could mean the existing or the new row. */
    private final PgvectorFilterTranslator existingRowTranslator;
    /** Set on a tenant partition in row-level-security mode. */
    private final String tenant;
    private final int batchSize;
    private final int copyThreshold;
    /** Told when the table was analyzed: estimates made from the old statistics are stale. */
    private final SearchPlanner planner;
    /** How long a bulk load may take: it may rebuild the HNSW index, one long statement. */
    private final Duration bulkLoadTimeout;

    PgvectorWriter(PgvectorTableLayout layout, Jdbc jdbc, RowCodec codec, PgvectorFilterTranslator translator,
                   String tenant, int batchSize, int copyThreshold, SearchPlanner planner,
                   Duration bulkLoadTimeout) {
        this.layout = layout;
        this.jdbc = jdbc;
        this.codec = codec;
        this.translator = translator;
        this.existingRowTranslator = new PgvectorFilterTranslator(layout, EXISTING);
        this.tenant = tenant;
        this.batchSize = batchSize;
        this.copyThreshold = copyThreshold;
        this.planner = planner;
        this.bulkLoadTimeout = bulkLoadTimeout;
    }

    /** A guard as the condition a replaced row must meet (over {@link #EXISTING}), and its exact complement. */
    private record Guard(SqlFragment allowed, SqlFragment forbidden) {
    }

    /** See {@link PgvectorStore#upsert(List)}: the batch is validated against the schema and dimension already. */
    void upsert(List<VectorRecord> batch) {
        upsert(batch, Optional.empty());
    }

    /** See {@link PgvectorStore#upsert(List, Filter)}: the batch is validated already, as for {@link #upsert(List)}. */
    void upsert(List<VectorRecord> batch, Filter guard) {
        upsert(batch, Optional.of(guard));
    }

    private void upsert(List<VectorRecord> batch, Optional<Filter> guard) {
        batch.forEach(codec::check);
        Optional<Guard> g = guard.map(f -> new Guard(existingRowTranslator.translate(f),
                translator.translate(new Filter.Not(f))));
        if (batch.isEmpty()) {
            return;
        }
        boolean staged = batch.size() >= copyThreshold;
        try {
            jdbc.transaction(LocalSettings.forTenant(tenant), c -> {
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
            throw jdbc.failure("pgvector upsert failed", "nothing was written", ids(batch), e);
        }
    }

    /** See {@link PgvectorStore#bulkLoad}: the batch is validated against the schema and dimension already. */
    void bulkLoad(List<VectorRecord> batch) {
        batch.forEach(codec::check);
        if (batch.isEmpty()) {
            return;
        }
        try {
            jdbc.transaction(LocalSettings.forTenant(tenant), bulkLoadTimeout, c -> {
                boolean rebuild = tenant == null && dropVectorIndexIfEmpty(c);
                write(c, batch, Optional.empty(), true);
                if (rebuild) {
                    Jdbc.execute(c, PgvectorSchemaManager.vectorIndexSql(layout));
                    // the table was empty: its statistics, if any, describe rows that are gone
                    analyze(c);
                } else {
                    analyzeAfterLargeWrite(c, batch.size());
                }
                return null;
            });
        } catch (SQLException e) {
            throw jdbc.failure("pgvector bulk load failed", "nothing was written", bulkLoadTimeout, ids(batch),
                    e);
        }
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
                Jdbc.bind(c, ps, 1, guardParams);
                runWrite(ps, guard.isPresent(), written);
            }
        } else {
            String row = "(" + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
            int rowsPerStatement = Math.max(1, Math.min(batchSize, (MAX_PARAMS - guardParams.size()) / columns.size()));
            for (int from = 0; from < batch.size(); from += rowsPerStatement) {
                List<VectorRecord> chunk = batch.subList(from, Math.min(batch.size(), from + rowsPerStatement));
                String sql = insert + "VALUES " + String.join(", ", Collections.nCopies(chunk.size(), row))
                        + onConflict;
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    int next = 1;
                    for (VectorRecord r : chunk) {
                        next = codec.bind(c, ps, next, r);
                    }
                    Jdbc.bind(c, ps, next, guardParams);
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
            Jdbc.bind(c, ps, next, forbidden.params());
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
        Jdbc.execute(c, "CREATE TEMP TABLE " + STAGING_NAME + " (" + String.join(", ", definitions)
                + ") ON COMMIT DROP");
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
        String index = PgvectorTableLayout.quote(layout.schemaName()) + "."
                + PgvectorTableLayout.quote(PgvectorSchemaManager.vectorIndexName(layout));
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
        Jdbc.execute(c, "LOCK TABLE " + table() + " IN ACCESS EXCLUSIVE MODE");
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM " + table() + ")")) {
            rs.next();
            if (rs.getBoolean(1)) {
                return false;
            }
        }
        Jdbc.execute(c, PgvectorSchemaManager.dropVectorIndexSql(layout));
        return true;
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
        Jdbc.execute(c, "ANALYZE " + table());
        planner.forgetEstimates();
    }

    private static List<String> ids(List<VectorRecord> batch) {
        return batch.stream().map(VectorRecord::id).toList();
    }

    private String table() {
        return layout.qualifiedTable();
    }

    private String idColumn() {
        return PgvectorTableLayout.quote(layout.idColumn());
    }
}

package dev.portafilter.pgvector;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.StoreTimeoutException;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The store's JDBC plumbing: a transaction on a connection from the data source, with a time limit; {@link
 * LocalSettings} sent ahead of a statement in the same round trip; typed values bound to parameters; and failures
 * turned into typed exceptions.
 */
final class Jdbc {
    /** How much longer than the statement timeout the client waits for the socket, so the server's cancel answers. */
    static final Duration NETWORK_GRACE = Duration.ofSeconds(1);
    /** PostgreSQL's query_canceled, which statement_timeout raises. */
    private static final String QUERY_CANCELED = "57014";
    /** SQLSTATE class 08, connection exception: pgjdbc's for a connection that broke or could not be opened. */
    private static final String CONNECTION_EXCEPTION_CLASS = "08";
    /** pgjdbc applies the socket timeout at once and never runs anything on this executor. */
    private static final Executor DIRECT = Runnable::run;

    private final DataSource dataSource;
    private final Duration callTimeout;

    Jdbc(DataSource dataSource, Duration callTimeout) {
        this.dataSource = dataSource;
        this.callTimeout = callTimeout;
    }

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    interface Binder {
        /** Binds the statement's values from parameter index {@code first}. */
        void bind(PreparedStatement ps, int first) throws SQLException;
    }

    @FunctionalInterface
    interface Results<T> {
        /** Reads the statement's results; the first is the current result. */
        T read(PreparedStatement ps) throws SQLException;
    }

    /** {@link #transaction(LocalSettings, Duration, SqlWork)} within the store's call timeout. */
    <T> T transaction(LocalSettings settings, SqlWork<T> work) throws SQLException {
        return transaction(settings, callTimeout, work);
    }

    /**
     * Runs the work in one transaction on a connection from the data source, after making the settings. Local
     * settings end with the transaction, committed or rolled back, so the connection returns to the pool as it came.
     * Each statement may run for the timeout ({@code statement_timeout}, set locally with the settings: the server
     * cancels it and the transaction rolls back), and the client waits at most that plus {@link #NETWORK_GRACE} for
     * the server to answer at all (the socket timeout: a server or network that went silent breaks the connection,
     * which the pool then discards).
     */
    <T> T transaction(LocalSettings settings, Duration timeout, SqlWork<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try {
                c.setNetworkTimeout(DIRECT, Math.toIntExact(timeout.plus(NETWORK_GRACE).toMillis()));
            } catch (SQLFeatureNotSupportedException notThisDriver) {
                // a data source whose connections cannot time out their socket still has the statement timeout
            }
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                SqlFragment setConfig = settings.withStatementTimeout(timeout).setConfig();
                try (PreparedStatement ps = c.prepareStatement(setConfig.sql())) {
                    bind(c, ps, 1, setConfig.params());
                    ps.executeQuery().close();
                }
                T result = work.run(c);
                commit(c);
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollbackFailed) {
                    e.addSuppressed(rollbackFailed);
                }
                throw e;
            } finally {
                // a connection broken by a timeout is closed already: restoring it would hide the real failure
                if (!c.isClosed()) {
                    c.setAutoCommit(autoCommit);
                }
            }
        }
    }

    /**
     * Commits; a connection lost while the commit was under way (the server or the network died) is a {@link
     * CommitInDoubt}: the server may have committed before it could answer. An error the server reports is not: it
     * rolled back.
     */
    private static void commit(Connection c) throws SQLException {
        try {
            c.commit();
        } catch (SQLException e) {
            if (e.getSQLState() == null || e.getSQLState().startsWith(CONNECTION_EXCEPTION_CLASS)) {
                throw new CommitInDoubt(e);
            }
            throw e;
        }
    }

    /** The connection broke during a commit, which may or may not have taken effect. */
    static final class CommitInDoubt extends SQLException {
        CommitInDoubt(SQLException cause) {
            super(cause.getMessage(), cause.getSQLState(), cause);
        }
    }

    /**
     * Runs one statement (or several, separated by {@code ;}) preceded, in the same round trip, by the settings'
     * {@code set_config} calls: the driver sends the statements of one {@code PreparedStatement} together, and the
     * server runs them in order, so the settings are in force when the statement is planned.
     */
    static <T> T query(Connection c, LocalSettings before, String sql, Binder binder, Results<T> results)
            throws SQLException {
        SqlFragment setConfig = before.isEmpty() ? null : before.setConfig();
        try (PreparedStatement ps = c.prepareStatement(setConfig == null ? sql : setConfig.sql() + "; " + sql)) {
            binder.bind(ps, setConfig == null ? 1 : bind(c, ps, 1, setConfig.params()));
            ps.execute();
            if (setConfig != null) {
                ps.getMoreResults();
            }
            return results.read(ps);
        }
    }

    static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Binds typed values (see {@link SqlFragment}) from parameter index {@code first}; returns the next index. */
    static int bind(Connection c, PreparedStatement ps, int first, List<Object> params) throws SQLException {
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
            } else if (p instanceof BigDecimal d) {
                ps.setBigDecimal(i, d);
            } else if (p instanceof List<?> list) {
                ps.setArray(i, c.createArrayOf(arrayType(list.get(0)), list.toArray()));
            } else {
                throw new IllegalArgumentException("cannot bind " + p.getClass().getName());
            }
            i++;
        }
        return i;
    }

    /** {@link #failure(String, String, Duration, List, SQLException)} of a read: nothing to say about writes. */
    StoreException failure(String failed, SQLException e) {
        return failure(failed, null, callTimeout, List.of(), e);
    }

    /** {@link #failure(String, String, Duration, List, SQLException)} of a write within the call timeout. */
    StoreException failure(String failed, String undone, List<String> ids, SQLException e) {
        return failure(failed, undone, callTimeout, ids, e);
    }

    /**
     * The typed exception for a failed transaction: {@code failed} says what failed (e.g. "pgvector upsert failed"),
     * {@code undone} what a write that rolled back left undone (e.g. "nothing was written"; null for a read), said
     * only when it rolled back for sure: not when the connection was lost during the commit or the server went silent.
     * {@code ids} are the records whose state the call leaves unknown (see {@link StoreException}).
     */
    StoreException failure(String failed, String undone, Duration timeout, List<String> ids, SQLException e) {
        String rolledBack = failed + (undone == null ? "" : ", " + undone);
        if (QUERY_CANCELED.equals(e.getSQLState())) {
            return new StoreTimeoutException(rolledBack + ": the statement ran longer than the timeout of "
                    + timeout + " and was cancelled (" + e.getMessage() + ")", timeout, ids, e);
        }
        if (e instanceof SQLTransientConnectionException) {
            // HikariCP's cause is the last attempt to connect: a server that is down says so there
            String lastAttempt = e.getCause() == null ? "" : "; the last attempt to connect: " + e.getCause().getMessage();
            return new StoreTimeoutException(rolledBack + ": no connection came free in time (" + e.getMessage() + ")"
                    + lastAttempt + poolState(), timeout, ids, e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return new StoreTimeoutException(failed + ": PostgreSQL did not answer within " + timeout.plus(
                        NETWORK_GRACE) + ", so the connection was dropped; a commit under way may or may not have "
                        + "taken effect (" + e.getMessage() + ")", timeout, ids, e);
            }
        }
        if (e instanceof CommitInDoubt && undone != null) {
            return new StoreException(failed + ": the connection to PostgreSQL broke during the commit, which may or "
                    + "may not have taken effect (" + e.getMessage() + ")", ids, e);
        }
        return new StoreException(rolledBack + ": " + e.getMessage(), ids, e);
    }

    /** The pool's state, for a HikariCP pool: whether it is exhausted, and by how many waiters. */
    private String poolState() {
        try {
            if (!dataSource.isWrapperFor(HikariDataSource.class)) {
                return "";
            }
            HikariDataSource pool = dataSource.unwrap(HikariDataSource.class);
            HikariPoolMXBean state = pool.getHikariPoolMXBean();
            return state == null ? "" : "; pool '" + pool.getPoolName() + "': " + state.getActiveConnections()
                    + " active, " + state.getIdleConnections() + " idle, " + state.getThreadsAwaitingConnection()
                    + " waiting, at most " + pool.getMaximumPoolSize() + ", waits up to " + pool.getConnectionTimeout()
                    + " ms for a connection";
        } catch (SQLException notAPool) {
            return "";
        }
    }

    /** {@code " WHERE <filter>"}, or nothing without a filter. */
    static String where(Optional<SqlFragment> filter) {
        return filter.map(w -> " WHERE " + w.sql()).orElse("");
    }

    /** The filter's values, or none. */
    static List<Object> params(Optional<SqlFragment> filter) {
        return filter.map(SqlFragment::params).orElse(List.of());
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
        if (element instanceof BigDecimal) {
            return "numeric";
        }
        throw new IllegalArgumentException("cannot bind an array of " + element.getClass().getName());
    }
}

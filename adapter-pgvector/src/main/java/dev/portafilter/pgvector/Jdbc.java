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
                // a connection broken by a timeout is closed already: restoring it would hide the real failure
                if (!c.isClosed()) {
                    c.setAutoCommit(autoCommit);
                }
            }
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

    /**
     * The typed exception for a failed call: {@link StoreTimeoutException} when the statement or the socket timed
     * out or no pooled connection came free in time (with the pool's state, when it is HikariCP's), else
     * {@link StoreException}.
     *
     * @param message what failed and what that means for the caller's records
     * @param ids     the records that may not have been written
     */
    StoreException failure(String message, List<String> ids, SQLException e) {
        return failure(message, callTimeout, ids, e);
    }

    /** {@link #failure(String, List, SQLException)} of a transaction with its own timeout. */
    StoreException failure(String message, Duration timeout, List<String> ids, SQLException e) {
        if (QUERY_CANCELED.equals(e.getSQLState())) {
            return new StoreTimeoutException(message + ": the statement ran longer than the timeout of "
                    + timeout + " and was cancelled (" + e.getMessage() + ")", timeout, ids, e);
        }
        if (e instanceof SQLTransientConnectionException) {
            return new StoreTimeoutException(message + ": no connection came free in time (" + e.getMessage() + ")"
                    + poolState(), timeout, ids, e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return new StoreTimeoutException(message + ": PostgreSQL did not answer within " + timeout.plus(
                        NETWORK_GRACE) + ", so the connection was dropped; a commit under way may or may not have "
                        + "taken effect (" + e.getMessage() + ")", timeout, ids, e);
            }
        }
        return new StoreException(message + ": " + e.getMessage(), ids, e);
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

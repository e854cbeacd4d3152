package dev.portafilter.pgvector;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

/**
 * The store's JDBC plumbing: a transaction on a connection from the data source, {@link LocalSettings} sent ahead
 * of a statement in the same round trip, and typed values bound to parameters.
 */
final class Jdbc {
    private final DataSource dataSource;

    Jdbc(DataSource dataSource) {
        this.dataSource = dataSource;
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

    /**
     * Runs the work in one transaction on a connection from the data source, after making the settings. Local
     * settings end with the transaction, committed or rolled back, so the connection returns to the pool as it came.
     */
    <T> T transaction(LocalSettings settings, SqlWork<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                if (!settings.isEmpty()) {
                    SqlFragment setConfig = settings.setConfig();
                    try (PreparedStatement ps = c.prepareStatement(setConfig.sql())) {
                        bind(c, ps, 1, setConfig.params());
                        ps.executeQuery().close();
                    }
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
                c.setAutoCommit(autoCommit);
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

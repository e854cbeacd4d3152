package dev.portafilter.pgvector;

import javax.sql.DataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A data source that records what a store sends through it: the SQL of every statement prepared, and how often,
 * with the values bound to it. A probe can also look into each transaction just before it commits, on the store's
 * own connection, where the transaction's local settings and rows are what the store's statements saw.
 */
final class StatementLog {
    private final DataSource target;
    private final List<Prepared> prepared = Collections.synchronizedList(new ArrayList<>());
    private volatile CommitProbe<?> probe;
    private final List<Object> probed = Collections.synchronizedList(new ArrayList<>());

    StatementLog(DataSource target) {
        this.target = target;
    }

    /** Looks into a transaction before it commits, given its prepared statements; a null result is not kept. */
    @FunctionalInterface
    interface CommitProbe<T> {
        T probe(Connection c, List<Prepared> transaction) throws SQLException;
    }

    /** A call that bound a value: {@code setString(3, "x")} and the like. */
    private record Binding(Method setter, Object[] args) {
    }

    /** A prepared statement: its SQL, and the calls that bound values to it, in order. */
    static final class Prepared {
        private final String sql;
        private final List<Binding> bindings = Collections.synchronizedList(new ArrayList<>());

        private Prepared(String sql) {
            this.sql = sql;
        }

        String sql() {
            return sql;
        }

        /**
         * Runs the statement again on the connection, its last statement (after the last {@code ; }: the first
         * are the settings sent ahead of it) rewritten, with the same values; the first column of the last
         * statement's rows.
         */
        List<String> rerun(Connection c, UnaryOperator<String> rewriteLast) throws SQLException {
            int last = sql.lastIndexOf("; ");
            String rewritten = last < 0 ? rewriteLast.apply(sql)
                    : sql.substring(0, last + 2) + rewriteLast.apply(sql.substring(last + 2));
            try (PreparedStatement ps = c.prepareStatement(rewritten)) {
                synchronized (bindings) {
                    for (Binding b : bindings) {
                        try {
                            b.setter().invoke(ps, b.args());
                        } catch (ReflectiveOperationException e) {
                            throw new SQLException("cannot bind again: " + e, e);
                        }
                    }
                }
                List<String> rows = List.of();
                boolean isResultSet = ps.execute();
                while (isResultSet || ps.getUpdateCount() != -1) {
                    if (isResultSet) {
                        rows = new ArrayList<>();
                        try (ResultSet rs = ps.getResultSet()) {
                            while (rs.next()) {
                                rows.add(rs.getString(1));
                            }
                        }
                    }
                    isResultSet = ps.getMoreResults();
                }
                return rows;
            }
        }
    }

    DataSource dataSource() {
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                forwarding(target, (method, args) -> {
                }, (method, args, result) -> result instanceof Connection c ? recording(c) : result));
    }

    /** Statements prepared so far whose SQL contains the text. */
    long count(String text) {
        synchronized (prepared) {
            return prepared.stream().filter(p -> p.sql().contains(text)).count();
        }
    }

    /** The SQL of every statement prepared so far. */
    List<String> statements() {
        synchronized (prepared) {
            return prepared.stream().map(Prepared::sql).toList();
        }
    }

    /** Runs the action with the probe looking into every transaction it commits; what the probe found, in order. */
    @SuppressWarnings("unchecked")
    <T> List<T> beforeEachCommit(CommitProbe<T> probe, ThrowingRunnable action) throws Exception {
        probed.clear();
        this.probe = probe;
        try {
            action.run();
        } finally {
            this.probe = null;
        }
        synchronized (probed) {
            return (List<T>) List.copyOf(probed);
        }
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private Connection recording(Connection c) {
        List<Prepared> transaction = new ArrayList<>();
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                forwarding(c, (method, args) -> {
                    switch (method.getName()) {
                        case "commit" -> {
                            CommitProbe<?> p = probe;
                            if (p != null) {
                                Object found = p.probe(c, List.copyOf(transaction));
                                if (found != null) {
                                    probed.add(found);
                                }
                            }
                            transaction.clear();
                        }
                        case "rollback", "close" -> transaction.clear();
                        default -> {
                        }
                    }
                }, (method, args, result) -> result instanceof PreparedStatement ps
                        && method.getName().equals("prepareStatement") ? recording(ps, (String) args[0], transaction)
                        : result));
    }

    /** Records the statement's SQL at once, and the values bound to it as they are bound. */
    private PreparedStatement recording(PreparedStatement ps, String sql, List<Prepared> transaction) {
        Prepared p = new Prepared(sql);
        prepared.add(p);
        transaction.add(p);
        return (PreparedStatement) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, forwarding(ps, (method, args) -> {
                    if (method.getName().startsWith("set") && args != null && args.length >= 2
                            && args[0] instanceof Integer) {
                        p.bindings.add(new Binding(method, args.clone()));
                    }
                }, (method, args, result) -> result));
    }

    private interface Observer {
        void call(Method method, Object[] args) throws SQLException;
    }

    private interface Wrapper {
        Object wrap(Method method, Object[] args, Object result);
    }

    private static InvocationHandler forwarding(Object target, Observer observer, Wrapper wrapper) {
        return (proxy, method, args) -> {
            observer.call(method, args);
            try {
                return wrapper.wrap(method, args, method.invoke(target, args));
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
    }
}

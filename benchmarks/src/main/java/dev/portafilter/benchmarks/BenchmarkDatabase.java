package dev.portafilter.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A scratch database on the project's PostgreSQL server, created for one run and dropped at its end, so that
 * nothing a peer creates (its tables, and the {@code hstore} and {@code uuid-ossp} extensions Spring AI installs)
 * outlives the run. Each system then works in its own schema inside it.
 */
public final class BenchmarkDatabase implements AutoCloseable {
    private final String serverUrl;
    private final String name;
    private final String url;
    /** Drops the database when the run is stopped before {@link #close()} (Ctrl-C, kill). */
    private final Thread dropOnExit;

    private BenchmarkDatabase(String serverUrl, String name) {
        this.serverUrl = serverUrl;
        this.name = name;
        this.url = withDatabase(serverUrl, name);
        this.dropOnExit = new Thread(this::drop, "drop-" + name);
        Runtime.getRuntime().addShutdownHook(dropOnExit);
    }

    /** Creates {@code portafilter_bench_<pid>} with the vector extension, on the server of {@code jdbcUrl}. */
    public static BenchmarkDatabase create(String jdbcUrl) {
        String name = "portafilter_bench_" + ProcessHandle.current().pid();
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name);
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the scratch database " + name + " (the benchmark needs a role "
                    + "that may CREATE DATABASE): " + e.getMessage(), e);
        }
        BenchmarkDatabase db = new BenchmarkDatabase(jdbcUrl, name);
        db.execute("CREATE EXTENSION IF NOT EXISTS vector");
        return db;
    }

    /** The JDBC URL of the scratch database. */
    public String url() {
        return url;
    }

    /** The JDBC URL with {@code search_path} set to {@code schema, public} (for stores that take no schema). */
    public String url(String schema) {
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema + ",public";
    }

    /** A pool of {@code size} connections; {@code schema} may be null for the default search path. */
    public HikariDataSource pool(String schema, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(schema == null ? url : url(schema));
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setPoolName("bench-" + (schema == null ? "default" : schema));
        return new HikariDataSource(config);
    }

    public void execute(String sql) {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    public String queryString(String sql) {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** A fresh, empty schema; an identifier chosen by the harness, never from data. */
    public void recreateSchema(String schema) {
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        execute("CREATE SCHEMA " + schema);
    }

    public void dropSchema(String schema) {
        execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    @Override
    public void close() {
        Runtime.getRuntime().removeShutdownHook(dropOnExit);
        drop();
    }

    private void drop() {
        try (Connection c = DriverManager.getConnection(serverUrl); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop the scratch database " + name + ": " + e.getMessage(), e);
        }
    }

    /** {@code jdbc:postgresql://host:port/db?params} with another database name. */
    static String withDatabase(String jdbcUrl, String database) {
        String prefix = "jdbc:";
        URI uri = URI.create(jdbcUrl.substring(prefix.length()));
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        return prefix + uri.getScheme() + "://" + uri.getRawAuthority() + "/" + database + query;
    }
}

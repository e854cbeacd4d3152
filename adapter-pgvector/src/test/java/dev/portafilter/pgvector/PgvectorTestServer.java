package dev.portafilter.pgvector;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portafilter.conformance.BackendLocator;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * The PostgreSQL + pgvector server the tests run against, found in this order: the environment variable
 * {@value #ENV_VAR}; a Testcontainers {@code pgvector/pgvector:pg16} container where Docker is available; the file
 * {@code .backends/pgvector.env} that {@code scripts/postgres.sh start} writes. Without any, the tests fail with
 * {@code CI=true} and are skipped, saying why, elsewhere.
 */
final class PgvectorTestServer {
    static final String ENV_VAR = "PORTAFILTER_PGVECTOR_URL";
    /** Every test table lives here, under a unique name, so that concurrent runs never meet. */
    static final String SCRATCH_SCHEMA = "portafilter_scratch";

    private static String url;
    /** Why no server was found, decided once so that the reason is printed once. */
    private static RuntimeException unavailable;
    private static HikariDataSource pool;
    /** Lives as long as the test JVM; Testcontainers' reaper removes it afterwards. */
    private static PostgreSQLContainer<?> container;

    private PgvectorTestServer() {
    }

    /** A JDBC URL with user and password, for a role that may create roles (a superuser). */
    static synchronized String jdbcUrl() {
        if (unavailable != null) {
            throw unavailable;
        }
        if (url == null) {
            try {
                url = locate();
            } catch (RuntimeException e) {
                unavailable = e;
                throw e;
            }
        }
        return url;
    }

    /** A shared pool for the tests (never closed: the JVM ends with the test run). */
    static synchronized HikariDataSource dataSource() {
        if (pool == null) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(jdbcUrl());
            config.setMaximumPoolSize(10);
            config.setPoolName("portafilter-pgvector-tests");
            pool = new HikariDataSource(config);
            execute("CREATE EXTENSION IF NOT EXISTS vector");
            try {
                execute("CREATE SCHEMA IF NOT EXISTS " + SCRATCH_SCHEMA);
            } catch (IllegalStateException raced) {
                // IF NOT EXISTS is not atomic: another test run created it at the same moment; now it exists
                execute("CREATE SCHEMA IF NOT EXISTS " + SCRATCH_SCHEMA);
            }
        }
        return pool;
    }

    /** A table name no other test or run uses. */
    static String uniqueTableName(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
    }

    static void execute(String... statements) {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static String locate() {
        String fromEnv = System.getenv(ENV_VAR);
        if (fromEnv != null && !fromEnv.isBlank()) {
            System.out.println("[pgvector] tests use the server in " + ENV_VAR);
            return fromEnv.trim();
        }
        if (DockerClientFactory.instance().isDockerAvailable()) {
            System.out.println("[pgvector] tests use a Testcontainers pgvector/pgvector:pg16 container");
            container = new PostgreSQLContainer<>(DockerImageName.parse("pgvector/pgvector:pg16")
                    .asCompatibleSubstituteFor("postgres"));
            container.start();
            String base = container.getJdbcUrl();
            return base + (base.contains("?") ? "&" : "?") + "user=" + container.getUsername()
                    + "&password=" + container.getPassword();
        }
        System.out.println("[pgvector] no Docker for Testcontainers; looking for .backends/pgvector.env");
        return BackendLocator.find(ENV_VAR, "pgvector.env").orElseThrow(() -> BackendLocator.unavailable("pgvector",
                "no " + ENV_VAR + ", no Docker for Testcontainers, and no .backends/pgvector.env; "
                        + "run `bash scripts/postgres.sh start`"));
    }
}

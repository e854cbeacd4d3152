package dev.portafilter.pgvector;

import dev.portafilter.conformance.BackendLocator;
import dev.portafilter.conformance.faults.BackendScript;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

/**
 * The PostgreSQL that {@code scripts/postgres.sh crash-start} runs beside the shared one, for the tests that crash it
 * (killing the shared server would break every other test): found by {@value #ENV_VAR} in the environment, else in
 * {@code .backends/pgvector-crash.env}. With neither, the tests fail under {@code CI=true} and are skipped, saying why,
 * elsewhere. {@link #kill()} and {@link #restart()} run the script's {@code crash-kill} and {@code crash-restart}.
 */
final class PgvectorCrashServer {
    static final String BACKEND = "pgvector-crash";
    static final String ENV_VAR = "PORTAFILTER_PGVECTOR_CRASH_URL";
    static final String ENV_FILE = "pgvector-crash.env";
    private static final Duration KILL_LIMIT = Duration.ofSeconds(45);
    /** Crash recovery replays the WAL written since the last checkpoint: seconds here, on a loaded machine too. */
    private static final Duration RESTART_LIMIT = Duration.ofMinutes(2);

    private static String url;
    private static String missing;

    private PgvectorCrashServer() {
    }

    /**
     * The server's JDBC URL (a superuser), once it answers. A run stopped between a kill and its restart leaves the
     * server down: it is restarted here once before the tests give up on it.
     */
    static synchronized String jdbcUrl() {
        if (url == null && missing == null) {
            Optional<String> found = BackendLocator.find(ENV_VAR, ENV_FILE);
            if (found.isEmpty()) {
                missing = ENV_VAR + " is not set and .backends/" + ENV_FILE + " does not exist; run "
                        + "`bash scripts/postgres.sh crash-start` (as root)";
            } else if (answers(found.get()) || restartedToAnswer(found.get())) {
                url = found.get();
            } else {
                missing = "the server in .backends/" + ENV_FILE + " does not answer, nor after `scripts/postgres.sh "
                        + "crash-restart` (see adapter-pgvector/target/" + BACKEND + ".log); run "
                        + "`bash scripts/postgres.sh crash-start` (as root)";
            }
        }
        if (missing != null) {
            throw BackendLocator.unavailable(BACKEND, missing);
        }
        return url;
    }

    /** Connections without a pool, for setting up and checking: a pool would hold connections the kill breaks. */
    static DataSource adminDataSource() {
        return dataSource(jdbcUrl());
    }

    static void execute(String... statements) {
        try (Connection c = adminDataSource().getConnection(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** {@code kill -9} of the postmaster and every child at once; returns once all are gone. */
    static void kill() {
        script(KILL_LIMIT, "crash-kill");
    }

    /** Starts the server again on its port, which recovers from the crash; returns once it accepts connections. */
    static void restart() {
        script(RESTART_LIMIT, "crash-restart");
    }

    private static boolean restartedToAnswer(String candidate) {
        try {
            script(RESTART_LIMIT, "crash-restart");
        } catch (IllegalStateException e) {
            System.out.println("[" + BACKEND + "] " + e.getMessage());
            return false;
        }
        return answers(candidate);
    }

    private static boolean answers(String candidate) {
        try (Connection c = dataSource(candidate).getConnection()) {
            return c.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    private static DataSource dataSource(String jdbcUrl) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(jdbcUrl);
        source.setConnectTimeout(5);
        source.setLoginTimeout(10);
        source.setSocketTimeout(60);
        return source;
    }

    private static void script(Duration limit, String command) {
        Path log = BackendLocator.repositoryRoot().orElseThrow(() -> new IllegalStateException("no repository root"))
                .resolve("adapter-pgvector/target/" + BACKEND + ".log");
        BackendScript.run("postgres.sh", limit, log, command);
    }
}

package dev.portafilter.pgvector;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portafilter.conformance.Poll;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.conformance.faults.FaultyProxy;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.StoreTimeoutException;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.store.VectorRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Timeouts against the real server: a blocked statement, a network gone silent or cut, an exhausted pool. */
class PgvectorFaultTest {
    private static final int DIM = ScenarioDataset.DIMENSION;
    private static final Duration TIMEOUT = Duration.ofMillis(500);
    /** Far above every timeout below: a call that would hang fails the test instead. */
    private static final Duration NO_HANG = Duration.ofSeconds(20);
    private static final float[] QUERY = ScenarioDataset.vectorFor("A-C001", DIM);

    private PgvectorTableLayout layout;

    @BeforeEach
    void createTable() {
        layout = PgvectorTableLayout.builder(PgvectorTestServer.SCRATCH_SCHEMA,
                PgvectorTestServer.uniqueTableName("faults"), ScenarioDataset.SCHEMA, DIM).build();
        PgvectorSchemaManager.createTable(PgvectorTestServer.dataSource(), layout);
    }

    @AfterEach
    void dropTable() {
        PgvectorSchemaManager.dropTable(PgvectorTestServer.dataSource(), layout);
    }

    /**
     * Another transaction holds the table's exclusive lock, so every statement of the store waits: PostgreSQL
     * cancels it at the call timeout, the call throws the typed timeout, and a write has written nothing.
     */
    @Test
    void aBlockedStatementIsCancelledAtTheCallTimeout() throws Exception {
        try (PgvectorStore store = PgvectorStore.builder(layout).dataSource(PgvectorTestServer.dataSource())
                .callTimeout(TIMEOUT).build()) {
            store.upsert(ScenarioDataset.records());
            List<VectorRecord> batch = List.of(record("late-1"), record("late-2"));
            try (Connection holder = PgvectorTestServer.dataSource().getConnection(); Statement s = holder.createStatement()) {
                holder.setAutoCommit(false);
                s.execute("LOCK TABLE " + layout.qualifiedTable() + " IN ACCESS EXCLUSIVE MODE");
                long started = System.nanoTime();
                assertTimeoutPreemptively(NO_HANG, () -> assertThatThrownBy(() -> store.search(QUERY, 3))
                        .isInstanceOfSatisfying(StoreTimeoutException.class,
                                e -> assertThat(e.timeout()).isEqualTo(TIMEOUT))
                        .hasMessageContaining("cancelled"));
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
                assertTimeoutPreemptively(NO_HANG, () -> assertThatThrownBy(() -> store.upsert(batch))
                        .isInstanceOfSatisfying(StoreTimeoutException.class,
                                e -> assertThat(e.failedIds()).containsExactly("late-1", "late-2")));
                holder.rollback();
            }
            assertThat(store.count()).as("the timed-out write wrote nothing").isEqualTo(ScenarioDataset.records().size());
            assertThat(store.search(QUERY, 1).get(0).id()).as("the store works once the lock is gone").isEqualTo("A-C001");
        }
    }

    /** Between the store and PostgreSQL, a network that swallows every byte, then one that cuts the connection. */
    @Test
    void aSilentOrCutNetworkFailsTypedAndTheStoreRecovers() {
        URI server = URI.create(PgvectorTestServer.jdbcUrl().substring("jdbc:".length()));
        try (FaultyProxy proxy = FaultyProxy.to(server.getHost(), server.getPort())) {
            String proxied = PgvectorTestServer.jdbcUrl().replace(server.getHost() + ":" + server.getPort(),
                    proxy.host() + ":" + proxy.port());
            try (PgvectorStore store = PgvectorStore.builder(layout).jdbcUrl(proxied).callTimeout(TIMEOUT).build()) {
                store.upsert(ScenarioDataset.records());

                proxy.fault(new FaultyProxy.Fault.Drop());
                long started = System.nanoTime();
                assertTimeoutPreemptively(NO_HANG, () -> assertThatThrownBy(() -> store.search(QUERY, 3))
                        .isInstanceOf(StoreTimeoutException.class));
                assertThat(Duration.ofNanos(System.nanoTime() - started))
                        .as("the call timeout and the network grace, with a margin").isLessThan(Duration.ofSeconds(5));

                proxy.fault(new FaultyProxy.Fault.CutAfter(0));
                assertTimeoutPreemptively(NO_HANG, () -> assertThatThrownBy(() -> store.upsert(List.of(record("cut"))))
                        .isInstanceOfSatisfying(StoreException.class,
                                e -> assertThat(e.failedIds()).containsExactly("cut")));

                proxy.fault(FaultyProxy.NONE);
                // the pool replaces the broken connections in the background; until then a call fails typed
                assertThat(Poll.until(Duration.ofSeconds(10), () -> answers(store)))
                        .as("healed: the store answers again").isTrue();
            }
        }
    }

    /** A pool of one whose connection is held: the next call fails at the pool's timeout, stating the pool's state. */
    @Test
    void anExhaustedPoolIsAnErrorThatStatesThePool() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(PgvectorTestServer.jdbcUrl());
        config.setMaximumPoolSize(1);
        config.setConnectionTimeout(300);
        config.setPoolName("one-connection");
        try (HikariDataSource pool = new HikariDataSource(config);
             PgvectorStore store = PgvectorStore.builder(layout).dataSource(pool).build();
             Connection held = pool.getConnection()) {
            assertThat(held.isValid(1)).isTrue();
            assertTimeoutPreemptively(NO_HANG, () -> assertThatThrownBy(store::count)
                    .isInstanceOf(StoreTimeoutException.class)
                    .hasMessageContaining("pool 'one-connection': 1 active, 0 idle, 0 waiting, at most 1"));
        }
    }

    private static boolean answers(PgvectorStore store) {
        try {
            return store.search(QUERY, 1).get(0).id().equals("A-C001");
        } catch (StoreTimeoutException stillReconnecting) {
            return false;
        }
    }

    private static VectorRecord record(String id) {
        return new VectorRecord(id, ScenarioDataset.vectorFor(id, DIM), id,
                Metadata.of("customer", "CustomerA", "documentType", "note"));
    }
}

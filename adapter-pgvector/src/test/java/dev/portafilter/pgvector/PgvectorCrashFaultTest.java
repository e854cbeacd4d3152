package dev.portafilter.pgvector;

import dev.portafilter.conformance.Poll;
import dev.portafilter.conformance.faults.FaultReport;
import dev.portafilter.conformance.faults.FaultWorkload;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * PostgreSQL killed ({@code kill -9} of the postmaster and every backend at once: a real crash) and started again,
 * which recovers from its WAL, under a store that keeps running, on the crash-test server of
 * {@code scripts/postgres.sh crash-start} (never the shared one). Under load, four tenants through the
 * {@link FaultWorkload}: every acknowledged write survives each crash, calls during the outage fail typed, the store
 * answers again by itself, and the failed calls sent again converge. Directly, one call of each kind: what a failure
 * names and how soon it comes.
 */
class PgvectorCrashFaultTest {
    private static final String TENANT_FIELD = "customer";
    private static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("customer", FieldType.STRING).required("rev", FieldType.LONG).build();
    private static final int DIM = 8;
    /** The direct test's: each call fails within it, the sooner the better. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(1);
    /** The load test's: above any healthy call on a loaded machine, so that a failure after recovery is real. */
    private static final Duration LOAD_CALL_TIMEOUT = Duration.ofSeconds(3);
    private static final int KILLS = 2;
    /** Operations each phase with a healthy server runs before the test moves on, counted over all workers. */
    private static final int OPS_PER_PHASE = 80;
    /** Typed failures each outage lasts for: one per worker. */
    private static final int FAILED_WHILE_DOWN = 8;
    private static final Duration PHASE_LIMIT = Duration.ofSeconds(60);
    /** Far above the call timeout: a call that would hang fails the test instead. */
    private static final Duration NO_HANG = Duration.ofSeconds(20);
    /** Above every tenant's record count: a search returns all of a tenant's records, so a missing one shows. */
    private static final int ALL = 1_000;

    private PgvectorTableLayout layout;

    private void createTable(MetadataSchema schema) {
        PgvectorCrashServer.execute("CREATE SCHEMA IF NOT EXISTS " + PgvectorTestServer.SCRATCH_SCHEMA);
        layout = PgvectorTableLayout.builder(PgvectorTestServer.SCRATCH_SCHEMA,
                PgvectorTestServer.uniqueTableName("crash"), schema, DIM).build();
        PgvectorSchemaManager.createTable(PgvectorCrashServer.adminDataSource(), layout);
    }

    @AfterEach
    void dropTable() {
        if (layout != null) {
            PgvectorCrashServer.restart(); // a no-op unless the test stopped while the server was down
            PgvectorSchemaManager.dropTable(PgvectorCrashServer.adminDataSource(), layout);
        }
    }

    /**
     * Four tenants, two workers each, search, count, upsert, delete, deleteWhere and bulk load (through
     * {@link PgvectorStore#bulkLoad}, records stamped with their tenant) while the server is killed twice: healthy,
     * killed (calls under way fail), down (until calls made to the dead server have failed typed), restarted (until
     * the store answers), recovered (where no call may fail). Then every failed write again and the account. The server commits with
     * {@code synchronous_commit = on}; with {@code off}, this test finds acknowledged writes lost (14 and 31 in two
     * runs: commits acknowledged before their WAL left the server's memory).
     */
    @Test
    void killedTwiceUnderLoadLosesNoAcknowledgedWriteAndRecoversByItself() throws IOException {
        createTable(FaultWorkload.schema(TENANT_FIELD));
        try (PgvectorStore store = PgvectorStore.builder(layout).jdbcUrl(PgvectorCrashServer.jdbcUrl())
                .callTimeout(LOAD_CALL_TIMEOUT).bulkLoadTimeout(LOAD_CALL_TIMEOUT).build()) {
            FaultWorkload workload = FaultWorkload.builder("pgvector/kill-9", store, TENANT_FIELD).workersPerTenant(2)
                    .bulkLoader(store::bulkLoad).build();
            List<FaultWorkload.Phase> recovered = new ArrayList<>();
            try {
                workload.load();
                workload.start();
                assertThat(workload.awaitOperations(OPS_PER_PHASE, PHASE_LIMIT)).as("healthy operations").isTrue();
                List<String> timings = new ArrayList<>();
                for (int kill = 1; kill <= KILLS; kill++) {
                    if (kill > 1) {
                        // calls of the recovered phase still under way when the server dies would count there
                        workload.phase("before kill #" + kill);
                        assertThat(workload.awaitOperations(OPS_PER_PHASE / 2, PHASE_LIMIT)).isTrue();
                    }
                    workload.phase("killed #" + kill);
                    workload.fault("kill -9 of the postmaster and all its children");
                    long killedAt = System.nanoTime();
                    PgvectorCrashServer.kill();
                    long killTook = System.nanoTime() - killedAt;
                    // calls under way at the kill failed in the phase above; these start with the server gone
                    workload.phase("down #" + kill);
                    assertThat(workload.await(PHASE_LIMIT, p -> p.readsFailed() > 0 && p.writesFailed() > 0
                            && p.readsFailed() + p.writesFailed() >= FAILED_WHILE_DOWN))
                            .as("reads and writes failed typed while the server was down").isTrue();

                    workload.phase("restarted #" + kill);
                    long restartAt = System.nanoTime();
                    PgvectorCrashServer.restart();
                    long restartTook = System.nanoTime() - restartAt;
                    assertThat(Poll.until(PHASE_LIMIT, () -> FaultWorkload.answers(store)))
                            .as("the store answers again, without being rebuilt").isTrue();
                    timings.add(String.format("[pgvector-crash] kill #%d: kill -9 took %d ms; down %.1f s; restart "
                                    + "with crash recovery %d ms; the same store answered %d ms after the restart began",
                            kill, millis(killTook), (restartAt - killedAt) / 1e9, millis(restartTook),
                            millis(System.nanoTime() - restartAt)));

                    recovered.add(workload.phase("recovered #" + kill));
                    assertThat(workload.awaitOperations(OPS_PER_PHASE, PHASE_LIMIT)).as("recovered operations").isTrue();
                }
                FaultReport report = workload.finish(PHASE_LIMIT).print();
                timings.forEach(System.out::println);
                Files.write(FaultReport.FIGURES_FILE, timings, StandardOpenOption.APPEND);
                report.assertHeld();
                assertThat(report.faults()).hasSize(KILLS);
                assertThat(report.retried()).as("failed writes sent again").isPositive();
                // every connection the crash broke is gone from the pool before the first call after recovery
                assertThat(recovered).allSatisfy(p -> assertThat(p.readsFailed() + p.writesFailed())
                        .as("calls failed in %s", p.name()).isZero());
            } finally {
                workload.abort();
            }
        }
    }

    /**
     * One call of each kind while the server is down: each fails typed within the call timeout and a margin, and a
     * failed upsert or bulk load names its whole batch (a transaction: written whole or not at all). Writes
     * acknowledged before, including a first bulk load into the empty table (which rebuilds the HNSW index in its
     * transaction), are there after the restart, and each failed call made twice more converges.
     */
    @Test
    void aKilledServerFailsCallsTypedLosesNoAcknowledgedWriteAndARetryConverges() {
        createTable(SCHEMA);
        try (PgvectorStore store = PgvectorStore.builder(layout).jdbcUrl(PgvectorCrashServer.jdbcUrl())
                .callTimeout(CALL_TIMEOUT).build()) {
            // acknowledged before the crash; the first load into the empty table builds the HNSW index in its transaction
            Map<String, Long> acknowledged = new HashMap<>();
            apply(acknowledged, write(store::bulkLoad, records("a", 0, 40, 0)));
            apply(acknowledged, write(store::upsert, records("b", 0, 40, 0)));
            apply(acknowledged, write(store::upsert, records("a", 0, 10, 1)));
            assertThat(store.delete(ids("a", 30, 35))).isEqualTo(5);
            ids("a", 30, 35).forEach(acknowledged::remove);
            write(store::upsert, records("c", 0, 10, 0));
            assertThat(store.deleteWhere(Filters.eq("customer", "c"))).isEqualTo(10);
            assertState(store, acknowledged);

            PgvectorCrashServer.kill();
            List<VectorRecord> upserted = records("b", 40, 45, 0);
            List<VectorRecord> loaded = records("d", 0, 20, 0);
            List<String> deleted = ids("b", 0, 5);
            Filter deletedWhere = Filters.and(Filters.eq("customer", "a"), Filters.eq("rev", 1L));
            failsTyped(() -> store.search(vector("q"), 5));
            failsTyped(store::count);
            assertThat(failsTyped(() -> store.upsert(upserted)).failedIds()).as("a failed upsert names its batch")
                    .containsExactlyElementsOf(ids(upserted));
            assertThat(failsTyped(() -> store.bulkLoad(loaded)).failedIds()).as("a failed bulkLoad names its batch")
                    .containsExactlyElementsOf(ids(loaded));
            failsTyped(() -> store.delete(deleted));
            failsTyped(() -> store.deleteWhere(deletedWhere));

            PgvectorCrashServer.restart();
            // the same store: its pool drops the connections the crash broke and opens new ones
            assertThat(Poll.until(Duration.ofSeconds(30), () -> FaultWorkload.answers(store)))
                    .as("the store answers again within 30 s of the restart, without being rebuilt").isTrue();
            assertState(store, acknowledged);

            // each failed call again, twice: it succeeds, and the second time changes nothing
            for (int round = 0; round < 2; round++) {
                store.upsert(upserted);
                store.bulkLoad(loaded);
                assertThat(store.delete(deleted)).isEqualTo(round == 0 ? 5 : 0);
                assertThat(store.deleteWhere(deletedWhere)).isEqualTo(round == 0 ? 10 : 0);
            }
            apply(acknowledged, upserted);
            apply(acknowledged, loaded);
            deleted.forEach(acknowledged::remove);
            ids("a", 0, 10).forEach(acknowledged::remove);
            assertState(store, acknowledged);
        }
    }

    /**
     * The server killed while a commit is under way (a deferred constraint trigger holds the commit for seconds): the
     * upsert fails typed, names its record, and says that the commit may or may not have taken effect, never that
     * nothing was written. Sent again after the restart, it converges.
     */
    @Test
    void aCrashDuringTheCommitLeavesItsOutcomeUnknownAndSaysSo() throws Exception {
        createTable(SCHEMA);
        String slowCommit = PgvectorTestServer.SCRATCH_SCHEMA + "." + PgvectorTestServer.uniqueTableName("slow_commit");
        PgvectorCrashServer.execute("CREATE FUNCTION " + slowCommit + "() RETURNS trigger LANGUAGE plpgsql AS "
                        + "$$ BEGIN PERFORM pg_sleep(5); RETURN NULL; END $$",
                "CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT OR UPDATE ON " + layout.qualifiedTable()
                        + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION " + slowCommit + "()");
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try (PgvectorStore store = PgvectorStore.builder(layout).jdbcUrl(PgvectorCrashServer.jdbcUrl())
                .callTimeout(Duration.ofSeconds(15)).build()) {
            List<VectorRecord> batch = records("a", 0, 1, 0);
            Future<?> upsert = caller.submit(() -> store.upsert(batch));
            assertThat(Poll.until(NO_HANG, PgvectorCrashFaultTest::aCommitIsUnderWay)).as("the commit under way").isTrue();
            PgvectorCrashServer.kill();

            Throwable failure = assertThrows(ExecutionException.class, () -> upsert.get(20, TimeUnit.SECONDS)).getCause();
            assertThat(failure).isInstanceOfSatisfying(StoreException.class,
                            e -> assertThat(e.failedIds()).containsExactly("a-0"))
                    .hasMessageContaining("broke during the commit, which may or may not have taken effect")
                    .hasMessageNotContaining("nothing was written");

            PgvectorCrashServer.restart();
            PgvectorCrashServer.execute("DROP TRIGGER slow_commit ON " + layout.qualifiedTable(),
                    "DROP FUNCTION " + slowCommit + "()");
            assertThat(Poll.until(Duration.ofSeconds(30), () -> FaultWorkload.answers(store))).isTrue();
            store.upsert(batch);
            assertState(store, Map.of("a-0", 0L));
        } finally {
            caller.shutdownNow();
        }
    }

    private static boolean aCommitIsUnderWay() {
        try (Connection c = PgvectorCrashServer.adminDataSource().getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query = "
                     + "'COMMIT' AND datname = current_database()")) {
            return r.next() && r.getLong(1) > 0;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    /** The call throws a {@link StoreException} within the call timeout and its network grace, with a margin. */
    private static StoreException failsTyped(ThrowingCallable call) {
        long started = System.nanoTime();
        StoreException[] thrown = new StoreException[1];
        assertTimeoutPreemptively(NO_HANG, () -> assertThatThrownBy(call).isInstanceOfSatisfying(StoreException.class,
                e -> thrown[0] = e));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        System.out.printf("[pgvector-crash] server down: %s after %d ms: %s%n", thrown[0].getClass().getSimpleName(),
                took.toMillis(), thrown[0].getMessage());
        assertThat(took).isLessThan(CALL_TIMEOUT.plusSeconds(3));
        return thrown[0];
    }

    /** Each tenant's search and count return exactly its acknowledged records, at their revisions, and no other. */
    private static void assertState(PgvectorStore store, Map<String, Long> acknowledged) {
        for (String tenant : List.of("a", "b", "c", "d")) {
            Map<String, Long> expected = new HashMap<>();
            acknowledged.forEach((id, rev) -> {
                if (id.startsWith(tenant + "-")) {
                    expected.put(id, rev);
                }
            });
            Map<String, Long> found = new HashMap<>();
            for (SearchHit hit : store.search(vector(tenant), ALL, Filters.eq("customer", tenant))) {
                assertThat(hit.metadata().get("customer").orElseThrow().toJava()).isEqualTo(tenant);
                found.put(hit.id(), ((Number) hit.metadata().get("rev").orElseThrow().toJava()).longValue());
            }
            assertThat(found).as("tenant %s's records and revisions", tenant).isEqualTo(expected);
            assertThat(store.count(Filters.eq("customer", tenant))).isEqualTo(expected.size());
        }
        assertThat(store.count()).isEqualTo(acknowledged.size());
    }

    private interface Write {
        void write(List<VectorRecord> records);
    }

    private static List<VectorRecord> write(Write call, List<VectorRecord> records) {
        call.write(records);
        return records;
    }

    private static void apply(Map<String, Long> acknowledged, List<VectorRecord> written) {
        written.forEach(r -> acknowledged.put(r.id(), ((Number) r.metadata().get("rev").orElseThrow().toJava())
                .longValue()));
    }

    /** Records {@code <tenant>-<from>} up to {@code <tenant>-<to - 1>}, of that tenant, at revision {@code rev}. */
    private static List<VectorRecord> records(String tenant, int from, int to, long rev) {
        List<VectorRecord> records = new ArrayList<>();
        for (String id : ids(tenant, from, to)) {
            records.add(new VectorRecord(id, vector(id), "text of " + id, Metadata.of("customer", tenant, "rev", rev)));
        }
        return records;
    }

    private static List<String> ids(String tenant, int from, int to) {
        List<String> ids = new ArrayList<>();
        for (int i = from; i < to; i++) {
            ids.add(tenant + "-" + i);
        }
        return ids;
    }

    private static List<String> ids(List<VectorRecord> records) {
        return records.stream().map(VectorRecord::id).toList();
    }

    private static float[] vector(String seed) {
        Random random = new Random(seed.hashCode());
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = random.nextFloat() - 0.5f;
        }
        return v;
    }
}

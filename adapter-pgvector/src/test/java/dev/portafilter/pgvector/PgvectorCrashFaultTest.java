package dev.portafilter.pgvector;

import dev.portafilter.conformance.Poll;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * PostgreSQL killed ({@code kill -9} of the postmaster and every backend: a real crash) and started again, which
 * recovers from its WAL, under a store that keeps running: every write acknowledged before the crash is there after
 * it, every call during the outage fails typed and a failed write names its whole batch, the store answers again by
 * itself once the server does, and each failed call made again converges. On the crash-test server of
 * {@code scripts/postgres.sh crash-start}, never the shared one.
 */
class PgvectorCrashFaultTest {
    private static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("customer", FieldType.STRING).required("rev", FieldType.LONG).build();
    private static final int DIM = 8;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);
    /** Far above the call timeout: a call that would hang fails the test instead. */
    private static final Duration NO_HANG = Duration.ofSeconds(20);
    /** Above every tenant's record count: a search returns all of a tenant's records, so a missing one shows. */
    private static final int ALL = 1_000;

    private PgvectorTableLayout layout;

    @BeforeEach
    void createTable() {
        PgvectorCrashServer.execute("CREATE SCHEMA IF NOT EXISTS " + PgvectorTestServer.SCRATCH_SCHEMA);
        layout = PgvectorTableLayout.builder(PgvectorTestServer.SCRATCH_SCHEMA,
                PgvectorTestServer.uniqueTableName("crash"), SCHEMA, DIM).build();
        PgvectorSchemaManager.createTable(PgvectorCrashServer.adminDataSource(), layout);
    }

    @AfterEach
    void dropTable() {
        if (layout != null) {
            PgvectorCrashServer.restart(); // a no-op unless the test stopped while the server was down
            PgvectorSchemaManager.dropTable(PgvectorCrashServer.adminDataSource(), layout);
        }
    }

    @Test
    void aKilledServerFailsCallsTypedLosesNoAcknowledgedWriteAndARetryConverges() {
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
            assertThat(Poll.until(Duration.ofSeconds(30), () -> answers(store)))
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

    private static boolean answers(PgvectorStore store) {
        try {
            store.count();
            return true;
        } catch (StoreException stillReconnecting) {
            return false;
        }
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

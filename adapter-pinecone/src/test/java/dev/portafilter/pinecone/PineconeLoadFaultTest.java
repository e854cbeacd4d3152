package dev.portafilter.pinecone;

import dev.portafilter.conformance.Poll;
import dev.portafilter.conformance.faults.FaultReport;
import dev.portafilter.conformance.faults.FaultWorkload;
import dev.portafilter.conformance.faults.FaultyProxy;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.StringValue;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.localservers.pinecone.LocalPineconeServer;
import io.grpc.Status;
import io.pinecone.clients.Index;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tenants reading and writing through their views ({@link FaultWorkload}: upsert, delete, deleteWhere, search) while
 * the local Pinecone server fails a share of calls with {@code UNAVAILABLE} or {@code RESOURCE_EXHAUSTED}, and a
 * proxy cuts the connections; then a write split into several requests, cut part way. Pinecone has no bulk load:
 * an upsert, split into requests of at most 1,000 records or 2 MB, is the bulk path, so the workload's bulk step is
 * an upsert too. Tenants have a namespace each ({@code namespacePerTenant}, a view reads and writes its tenant's
 * only), or share one namespace and are told apart by the tenant field (a view adds the tenant filter).
 */
class PineconeLoadFaultTest {
    private static final String TENANT = "customer";
    private static final String PREFIX = "faults";
    private static final int DIM = 16;
    /** The calls a store makes for records; statistics calls (unscoped reads only) are left healthy. */
    private static final Set<String> DATA_CALLS = Set.of("upsert", "query", "fetch", "delete");
    /** Two quick attempts: most injected failures are retried away, the rest surface as typed failures. */
    private static final RetryPolicy FEW_SHORT = new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(5));
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private LocalServerBehindProxy local;
    private LocalPineconeServer server;
    private FaultyProxy proxy;
    private Index index;

    @BeforeEach
    void start() {
        local = LocalServerBehindProxy.start(DIM, Duration.ofSeconds(10));
        server = local.server();
        proxy = local.proxy();
        index = local.index();
    }

    @AfterEach
    void stop() {
        local.close();
    }

    /** How the store maps tenants to the index: the suffix of the workload's label. */
    enum Tenancy {
        NAMESPACES, SHARED_NAMESPACE
    }

    private PineconeStore store(RetryPolicy retry) {
        return store(retry, Tenancy.NAMESPACES);
    }

    private PineconeStore store(RetryPolicy retry, Tenancy tenancy) {
        // the default call timeout: faults here fail fast, and the first call of a cold JVM may take seconds
        PineconeStore.Builder b = PineconeStore.builder(index, FaultWorkload.schema(TENANT), DIM).retryPolicy(retry);
        return (tenancy == Tenancy.NAMESPACES ? b.namespacePerTenant(TENANT, PREFIX) : b.namespace(PREFIX)).build();
    }

    @ParameterizedTest
    @EnumSource(Tenancy.class)
    void unavailableRateLimitedAndCutConnectionsLoseNothingAndLeakNothing(Tenancy tenancy) {
        PineconeStore store = store(FEW_SHORT, tenancy);
        FaultWorkload workload = FaultWorkload.builder("pinecone-local/unavailable-exhausted-cuts-"
                + tenancy.name().toLowerCase(Locale.ROOT).replace('_', '-'), store, TENANT).workersPerTenant(2).build();
        try {
            workload.load();
            workload.start();
            assertThat(workload.awaitOperations(80, LIMIT)).as("healthy operations").isTrue();

            randomFailures(workload, "UNAVAILABLE 25%", Status.Code.UNAVAILABLE, 0.25, 20);
            randomFailures(workload, "RESOURCE_EXHAUSTED 25%", Status.Code.RESOURCE_EXHAUSTED, 0.25, 21);

            // a call cut once is mostly sent again on a new connection and succeeds: cut until a few failed typed
            workload.phase("connections cut");
            int cuts = 0;
            while (cuts < 200 && (cuts < 10 || failed(workload.current()) < 3)) {
                pause(Duration.ofMillis(150));
                proxy.cutAll();
                cuts++;
            }
            workload.fault(cuts + " times every open connection reset (cutAll), 150 ms apart");

            workload.phase("answers cut mid-stream");
            proxy.fault(new FaultyProxy.Fault.CutAfter(300));
            workload.await(LIMIT, p -> p.operations() >= 40 && failed(p) >= 5);
            proxy.fault(FaultyProxy.NONE);
            workload.fault("every connection reset 300 bytes into the server's answers (CutAfter)");

            // the channel waits out gRPC's reconnect backoff before it connects again; until then calls fail typed
            workload.phase("recovering");
            assertThat(Poll.until(LIMIT, () -> FaultWorkload.answers(store))).as("the store answers again").isTrue();
            workload.phase("healed");
            assertThat(workload.awaitOperations(120, LIMIT)).as("healed operations").isTrue();

            FaultReport report = workload.finish(LIMIT).print().assertHeld();
            // an operation counts in the phase it started in: one in flight as a fault began may fail as "healthy"
            for (FaultReport.PhaseFigures phase : report.phases()) {
                switch (phase.name()) {
                    case "healed" -> assertThat(phase.readsFailed() + phase.writesFailed()).as("failed once healed")
                            .isZero();
                    case "healthy", "recovering" -> { }
                    default -> assertThat(phase.readsFailed() + phase.writesFailed())
                            .as("%s: typed failures", phase.name()).isPositive();
                }
            }
            assertThat(report.phases()).hasSize(7);
            assertThat(report.retried()).as("failed writes sent again after recovery").isPositive();
        } finally {
            workload.abort();
        }
    }

    /** The default policy (6 attempts, backoff from 200 ms) waits out a rate limit on one call in ten. */
    @Test
    void theDefaultRetryPolicyRidesThroughRateLimiting() {
        FaultWorkload workload = FaultWorkload.builder("pinecone-local/resource-exhausted-default-retries",
                store(RetryPolicy.defaults()), TENANT).workersPerTenant(2).build();
        try {
            workload.load();
            workload.start();
            assertThat(workload.awaitOperations(40, LIMIT)).as("healthy operations").isTrue();
            workload.phase("RESOURCE_EXHAUSTED 10%");
            long before = server.failuresInjected();
            server.failRandomly(DATA_CALLS, Status.Code.RESOURCE_EXHAUSTED, 0.10, 22);
            boolean enough = workload.await(LIMIT, p -> p.operations() >= 200 && server.failuresInjected() - before >= 20);
            server.clearFaults();
            long injected = server.failuresInjected() - before;
            workload.fault("RESOURCE_EXHAUSTED on 10% of upsert, query, fetch and delete calls (seed 22): " + injected
                    + " calls failed, each retried by the store");
            assertThat(enough).as("operations and injected failures in the phase").isTrue();
            workload.phase("healed");
            assertThat(workload.awaitOperations(40, LIMIT)).as("healed operations").isTrue();

            FaultReport report = workload.finish(LIMIT).print().assertHeld();
            assertThat(report.readsFailed() + report.writesFailed()).as("calls that failed through the retries")
                    .isZero();
        } finally {
            workload.abort();
        }
    }

    /**
     * 2,500 records of one tenant go in three requests (1,000, 1,000, 500). The second fails: on each attempt
     * ({@code UNAVAILABLE}), or by a connection reset while the server holds it (one attempt, so the reset is the
     * outcome; the server carries the request out after all). The failure names exactly the records of the second and
     * third requests; the first request's records are written, the third was never sent; the same call repeated
     * with the named records converges.
     */
    @Test
    void aSplitUpsertFailedPartWayNamesTheFailedRequestAndEveryLaterOne() {
        List<VectorRecord> records = records("tenant-a", 2_500);
        List<String> ids = records.stream().map(VectorRecord::id).toList();
        String namespace = PineconeStore.tenantNamespace(PREFIX, "tenant-a");

        VectorStore retried = store(FEW_SHORT).partitionForTenant(TENANT, "tenant-a");
        server.failAfter("upsert", 1, Status.Code.UNAVAILABLE, FEW_SHORT.maxAttempts());
        assertThatThrownBy(() -> retried.upsert(records)).isInstanceOfSatisfying(StoreException.class, e -> {
            assertThat(e).hasMessageContaining("UNAVAILABLE").hasMessageContaining("1000 of 2500 records were written");
            assertThat(e.failedIds()).containsExactlyElementsOf(ids.subList(1_000, 2_500));
        });
        assertThat(server.calls("upsert")).as("request 1, request 2 twice, never request 3").hasSize(3);
        assertThat(server.contents().get(namespace)).containsExactlyInAnyOrderElementsOf(ids.subList(0, 1_000));
        retried.upsert(records.subList(1_000, 2_500));
        assertThat(server.contents().get(namespace)).containsExactlyInAnyOrderElementsOf(ids);

        server.clearCalls();
        List<VectorRecord> next = records("tenant-b", 2_500);
        List<String> nextIds = next.stream().map(VectorRecord::id).toList();
        String nextNamespace = PineconeStore.tenantNamespace(PREFIX, "tenant-b");
        VectorStore once = store(new RetryPolicy(1, Duration.ZERO, Duration.ZERO)).partitionForTenant(TENANT, "tenant-b");
        server.delayAfter("upsert", 1, Duration.ofSeconds(2), 1);
        CompletableFuture<Void> upsert = CompletableFuture.runAsync(() -> once.upsert(next));
        assertThat(Poll.until(LIMIT, () -> server.calls("upsert").size() == 2)).as("request 2 in flight").isTrue();
        proxy.cutAll();
        assertThatThrownBy(upsert::join).isInstanceOf(CompletionException.class).cause()
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.failedIds())
                        .containsExactlyElementsOf(nextIds.subList(1_000, 2_500)));
        assertThat(Poll.until(LIMIT, () -> server.contents().get(nextNamespace).size() == 2_000))
                .as("the server carried out request 2 after the client saw the reset: 'may not be written'").isTrue();
        assertThat(server.contents().get(nextNamespace)).doesNotContainAnyElementsOf(nextIds.subList(2_000, 2_500));
        assertThat(server.calls("upsert")).as("request 3 never sent").hasSize(2);
        assertThat(Poll.until(LIMIT, () -> upserts(once, next.subList(1_000, 2_500)))).as("the retry converges").isTrue();
        assertThat(server.contents().get(nextNamespace)).containsExactlyInAnyOrderElementsOf(nextIds);
    }

    /**
     * Unscoped, a record moved to another tenant is written to its new namespace and then deleted from the old one.
     * When that delete fails, the old copy remains under the former tenant: the failure names the record, and
     * repeating its upsert removes the copy.
     */
    @Test
    void aMovedRecordWhoseOldCopyRemainsIsNamedAndItsRetryConverges() {
        PineconeStore store = store(FEW_SHORT);
        List<VectorRecord> a = records("tenant-a", 2);
        store.upsert(a);
        VectorRecord moved = a.get(0).withMetadata(a.get(0).metadata().with(TENANT, new StringValue("tenant-b")));
        String namespaceA = PineconeStore.tenantNamespace(PREFIX, "tenant-a");
        String namespaceB = PineconeStore.tenantNamespace(PREFIX, "tenant-b");

        server.failNext("delete", Status.Code.UNAVAILABLE, FEW_SHORT.maxAttempts());
        assertThatThrownBy(() -> store.upsert(List.of(moved, a.get(1))))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.failedIds()).containsExactly(moved.id()))
                .hasMessageContaining("former tenant");
        assertThat(server.contents()).containsEntry(namespaceA, List.of(moved.id(), a.get(1).id()))
                .containsEntry(namespaceB, List.of(moved.id()));

        store.upsert(List.of(moved));
        assertThat(server.contents()).containsEntry(namespaceA, List.of(a.get(1).id()))
                .containsEntry(namespaceB, List.of(moved.id()));
    }

    /** Lets the workload run under this share of failing calls until some failed typed; records the fault. */
    private void randomFailures(FaultWorkload workload, String phase, Status.Code code, double share, long seed) {
        workload.phase(phase);
        long before = server.failuresInjected();
        server.failRandomly(DATA_CALLS, code, share, seed);
        boolean enough = workload.await(LIMIT, p -> p.operations() >= 150 && failed(p) >= 10);
        server.clearFaults();
        workload.fault(String.format("%s on %.0f%% of upsert, query, fetch and delete calls (seed %d): %d calls failed",
                code, share * 100, seed, server.failuresInjected() - before));
        assertThat(enough).as("%s: operations and typed failures", phase).isTrue();
    }

    private static int failed(FaultWorkload.Phase p) {
        return p.readsFailed() + p.writesFailed();
    }

    private static boolean upserts(VectorStore store, List<VectorRecord> records) {
        try {
            store.upsert(records);
            return true;
        } catch (StoreException stillReconnecting) {
            return false;
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<VectorRecord> records(String tenant, int n) {
        Random random = new Random(tenant.hashCode());
        List<VectorRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] v = new float[DIM];
            for (int d = 0; d < DIM; d++) {
                v[d] = random.nextFloat() - 0.5f;
            }
            out.add(new VectorRecord(tenant + "-" + i, v, "text " + i, Metadata.of(TENANT, tenant,
                    FaultWorkload.WRITER, tenant, FaultWorkload.REV, 0L, FaultWorkload.GROUP, (long) i / 1_000)));
        }
        return out;
    }
}

package dev.portafilter.opensearch;

import dev.portafilter.conformance.Poll;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.TenantIsolationException;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.FieldType;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import dev.portafilter.core.tenant.TenantScope;
import org.junit.jupiter.api.Test;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.HealthStatus;
import org.opensearch.client.opensearch.cat.shards.ShardsRecord;
import org.opensearch.client.opensearch.cluster.HealthResponse;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A data node of the three-node cluster killed ({@code kill -9}) while four tenants search, count, upsert and delete,
 * then started again; then two nodes killed at once (no majority: no cluster manager, writes blocked) and both
 * started again. The store is given all three nodes' urls. Each tenant's operations run on one thread, so the
 * test knows exactly what every read must return: each acknowledged write, nothing acknowledged as deleted, nothing
 * of another tenant. A call that fails must fail typed ({@link StoreException}); the records a failed write names in
 * {@code failedIds()} are the only ones whose state is unknown, and writing them again after recovery converges.
 */
class OpenSearchClusterFaultTest {
    private static final MetadataSchema SCHEMA = MetadataSchema.builder()
            .required("customer", FieldType.STRING).required("rev", FieldType.LONG).build();
    private static final int DIM = 8;
    private static final List<String> TENANTS = List.of("tenant-a", "tenant-b", "tenant-c", "tenant-d");
    private static final int RECORDS_PER_TENANT = 150;
    /** Above every tenant's record count: a search returns all of a tenant's records, so a short one shows. */
    private static final int ALL = 2_000;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);
    /** Operations each phase runs before the test moves on, counted over all tenants. */
    private static final int OPS_PER_PHASE = 40;

    /** HEALTHY, then one node killed until the replicas took over, restarted; then two nodes killed (no majority). */
    private enum Phase { HEALTHY, NODE_KILLED, YELLOW, NODE_RESTARTING, GREEN, MAJORITY_LOST, TWO_RESTARTING, RECOVERED }

    private final AtomicInteger phase = new AtomicInteger();
    private final AtomicIntegerArray ops = new AtomicIntegerArray(Phase.values().length);
    private final AtomicIntegerArray readsFailed = new AtomicIntegerArray(Phase.values().length);
    private final AtomicIntegerArray writesFailed = new AtomicIntegerArray(Phase.values().length);
    private final Map<String, AtomicInteger> failureTypes = new ConcurrentHashMap<>();
    private final AtomicLong wrongTenantRows = new AtomicLong();
    private final AtomicLong shortReads = new AtomicLong();
    private final AtomicLong acknowledgedLost = new AtomicLong();
    private final AtomicLong deleteCountsShort = new AtomicLong();
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stop;

    @Test
    void aKilledNodeLosesNoAcknowledgedWriteAndAnswersStayComplete() throws Exception {
        List<String> urls = TestCluster.urls();
        OpenSearchClient admin = TestCluster.client();
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(TestServer.scratchIndex("cluster-fault"), SCHEMA, DIM)
                .routeByTenant("customer").shards(3, 1).build();
        ExecutorService workers = Executors.newFixedThreadPool(TENANTS.size());
        Set<Integer> down = new TreeSet<>();
        try (OpenSearchStore store = OpenSearchStore.builder(layout).urls(urls).callTimeout(CALL_TIMEOUT).build()) {
            store.createIndex();
            try {
                awaitHealth(admin, layout.indexName(), HealthStatus.Green, 3, Duration.ofSeconds(90));
                TenantScope scope = TenantScope.of(store, "customer");
                List<Tenant> tenants = TENANTS.stream().map(t -> new Tenant(t, scope.forTenant(t),
                        store.partitionForTenant("customer", t))).toList();
                for (Tenant t : tenants) {
                    t.load();
                }
                int victim = nodeWithMostPrimaries(admin, layout.indexName());
                int second = victim % TestCluster.NODES + 1;

                long t0 = System.nanoTime();
                List<Future<?>> running = tenants.stream().map(t -> workers.submit(t::run)).collect(Collectors.toList());
                awaitOps(Phase.HEALTHY);

                enter(Phase.NODE_KILLED);
                long killedAt = System.nanoTime();
                TestCluster.killNode(victim);
                down.add(victim);
                // the cluster has dropped the node and promoted the replicas of its primaries
                awaitHealth(admin, layout.indexName(), HealthStatus.Yellow, 2, Duration.ofSeconds(120));
                long yellowAfter = System.nanoTime() - killedAt;
                enter(Phase.YELLOW);
                awaitOps(Phase.YELLOW);

                enter(Phase.NODE_RESTARTING);
                long restartAt = System.nanoTime();
                TestCluster.startNodes(down);
                down.clear();
                awaitHealth(admin, layout.indexName(), HealthStatus.Green, 3, Duration.ofMinutes(5));
                long greenAfter = System.nanoTime() - restartAt;
                enter(Phase.GREEN);
                awaitOps(Phase.GREEN);

                // two of three down: no cluster manager, writes blocked, one shard copy of three reachable at most
                enter(Phase.MAJORITY_LOST);
                TestCluster.killNode(victim);
                down.add(victim);
                TestCluster.killNode(second);
                down.add(second);
                assertThat(Poll.until(Duration.ofMinutes(3), () -> ops.get(Phase.MAJORITY_LOST.ordinal()) >= 12
                        && writesFailed.get(Phase.MAJORITY_LOST.ordinal()) > 0))
                        .as("operations and a failed write without a majority within 3 minutes").isTrue();
                enter(Phase.TWO_RESTARTING);
                TestCluster.startNodes(down);
                down.clear();
                awaitHealth(admin, layout.indexName(), HealthStatus.Green, 3, Duration.ofMinutes(5));
                enter(Phase.RECOVERED);
                awaitOps(Phase.RECOVERED);
                stop = true;
                for (Future<?> f : running) {
                    f.get(2, TimeUnit.MINUTES);
                }
                long elapsed = System.nanoTime() - t0;

                // the writes that failed, again: every one now succeeds, and the state converges
                int retried = 0;
                for (Tenant t : tenants) {
                    retried += t.retryFailed();
                }
                long finalRecords = 0;
                for (Tenant t : tenants) {
                    finalRecords += t.verifyFinal(store);
                }

                int total = 0;
                int failedReads = 0;
                int failedWrites = 0;
                StringBuilder table = new StringBuilder();
                for (Phase p : Phase.values()) {
                    total += ops.get(p.ordinal());
                    failedReads += readsFailed.get(p.ordinal());
                    failedWrites += writesFailed.get(p.ordinal());
                    table.append(String.format("%n[cluster-fault]   %-16s %5d operations, %3d reads and %3d writes failed typed",
                            p, ops.get(p.ordinal()), readsFailed.get(p.ordinal()), writesFailed.get(p.ordinal())));
                }
                System.out.printf("[cluster-fault] node %d of 3 killed (kill -9) and restarted, then nodes %d and %d; "
                                + "store on all %d urls; %d tenants, %d s of load%n"
                                + "[cluster-fault] faults injected: 3 node kills; operations: %d; failed with a typed exception: %d "
                                + "(%d reads, %d writes) %s%s%n"
                                + "[cluster-fault] yellow %.1f s after the kill; green %.1f s after the restart began%n"
                                + "[cluster-fault] acknowledged writes lost: %d; wrong-tenant rows: %d; short answers "
                                + "returned as complete: %d; failed writes retried: %d (all converged); records at the "
                                + "end: %d; delete counts short (a request the client sent again): %d%n",
                        victim, victim, second, urls.size(), TENANTS.size(), TimeUnit.NANOSECONDS.toSeconds(elapsed), total,
                        failedReads + failedWrites, failedReads, failedWrites, new TreeMap<>(failureTypes), table,
                        yellowAfter / 1e9, greenAfter / 1e9, acknowledgedLost.get(), wrongTenantRows.get(),
                        shortReads.get(), retried, finalRecords, deleteCountsShort.get());

                assertThat(violations).as("invariants broken").isEmpty();
                assertThat(acknowledgedLost.get()).as("acknowledged writes lost").isZero();
                assertThat(wrongTenantRows.get()).as("rows of another tenant").isZero();
                assertThat(shortReads.get()).as("short answers returned as complete").isZero();
                assertThat(retried).as("failed writes retried").isPositive();
                // once the replicas took over, and again once the nodes are back, every read answers in full
                assertThat(readsFailed.get(Phase.YELLOW.ordinal())).as("reads failed after the replicas took over")
                        .isZero();
                assertThat(readsFailed.get(Phase.GREEN.ordinal())).as("reads failed after the node came back").isZero();
                assertThat(readsFailed.get(Phase.RECOVERED.ordinal())).as("reads failed after both came back").isZero();
            } finally {
                stop = true;
                workers.shutdownNow();
                workers.awaitTermination(1, TimeUnit.MINUTES);
                if (!down.isEmpty()) {
                    TestCluster.startNodes(down); // leave the cluster whole for the next test
                }
                store.deleteIndex();
            }
        }
    }

    private void enter(Phase p) {
        phase.set(p.ordinal());
    }

    private void awaitOps(Phase p) {
        assertThat(Poll.until(Duration.ofMinutes(2), () -> ops.get(p.ordinal()) >= OPS_PER_PHASE))
                .as("%d operations in phase %s within 2 minutes", OPS_PER_PHASE, p).isTrue();
    }

    private static void awaitHealth(OpenSearchClient admin, String index, HealthStatus status, int nodes, Duration limit)
            throws IOException {
        long deadline = System.nanoTime() + limit.toNanos();
        HealthResponse health = null;
        while (System.nanoTime() < deadline) {
            try {
                health = admin.cluster().health(h -> h.index(index).waitForStatus(status)
                        .waitForNodes(w -> w.count(nodes)).timeout(t -> t.time("10s")));
                if (!health.timedOut()) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                // the node the request went to may be the one killed, or no cluster manager is elected yet
            }
        }
        throw new AssertionError("index " + index + " not " + status + " with " + nodes + " nodes within " + limit
                + (health == null ? "" : ": " + health.status() + ", " + health.numberOfNodes() + " nodes"));
    }

    /** The node (1..3) that holds the most primaries of the index: its loss makes the cluster promote replicas. */
    private static int nodeWithMostPrimaries(OpenSearchClient admin, String index) throws IOException {
        Map<String, Integer> primaries = new TreeMap<>();
        for (ShardsRecord shard : admin.cat().shards(s -> s.index(index)).valueBody()) {
            if ("p".equals(shard.prirep()) && shard.node() != null) {
                primaries.merge(shard.node(), 1, Integer::sum);
            }
        }
        String node = primaries.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        return Integer.parseInt(node.substring(node.lastIndexOf('-') + 1));
    }

    private static float[] vector(String seed) {
        Random random = new Random(seed.hashCode());
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = random.nextFloat() - 0.5f;
        }
        return v;
    }

    private static long revOf(SearchHit hit) {
        return ((Number) hit.metadata().get("rev").orElseThrow().toJava()).longValue();
    }

    /** One tenant's records, written and read on one thread, and what each read must return. */
    private final class Tenant {
        private final String id;
        private final VectorStore view;
        private final VectorStore partition;
        private final Random random;
        /** Acknowledged: written and not deleted since, with the revision written. */
        private final Map<String, Long> present = new HashMap<>();
        /** Records a failed upsert named in failedIds(): written or not, to write again after recovery. */
        private final Map<String, VectorRecord> failedUpserts = new HashMap<>();
        /** Ids a failed delete may or may not have deleted, to delete again after recovery. */
        private final Set<String> failedDeletes = new HashSet<>();
        private int nextId;

        Tenant(String id, VectorStore view, VectorStore partition) {
            this.id = id;
            this.view = view;
            this.partition = partition;
            this.random = new Random(id.hashCode());
        }

        void load() {
            List<VectorRecord> batch = new ArrayList<>();
            for (int i = 0; i < RECORDS_PER_TENANT; i++) {
                batch.add(record(newId(), 0));
            }
            view.upsert(batch);
            batch.forEach(r -> present.put(r.id(), 0L));
        }

        void run() {
            for (int op = 0; !stop; op++) {
                int p = phase.get();
                boolean read = op % 2 == 0;
                try {
                    switch (op % 4) {
                        case 0 -> search(op);
                        case 1 -> upsert();
                        case 2 -> count();
                        default -> delete();
                    }
                } catch (StoreException e) {
                    (read ? readsFailed : writesFailed).incrementAndGet(p);
                    failureTypes.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicInteger())
                            .incrementAndGet();
                } catch (TenantIsolationException e) {
                    wrongTenantRows.incrementAndGet();
                    violations.add(id + ": " + e.getMessage());
                } catch (RuntimeException e) {
                    violations.add(id + ": untyped failure " + e);
                }
                ops.incrementAndGet(p);
            }
        }

        private boolean uncertain(String recordId) {
            return failedUpserts.containsKey(recordId) || failedDeletes.contains(recordId);
        }

        /** Through the tenant partition (routed to the tenant's shard), with the filter a tenant view adds. */
        private void search(int op) {
            List<SearchHit> hits = partition.search(vector(id + op), ALL, Filters.eq("customer", id));
            Map<String, Long> found = new HashMap<>();
            for (SearchHit hit : hits) {
                if (!id.equals(hit.metadata().get("customer").map(v -> v.toJava()).orElse(null))) {
                    wrongTenantRows.incrementAndGet();
                    violations.add(id + ": search returned " + hit.id() + " of " + hit.metadata().get("customer"));
                }
                found.put(hit.id(), revOf(hit));
            }
            for (Map.Entry<String, Long> e : present.entrySet()) {
                if (uncertain(e.getKey())) {
                    continue;
                }
                Long rev = found.get(e.getKey());
                if (rev == null) {
                    shortReads.incrementAndGet();
                    violations.add(id + ": search of " + hits.size() + " hits lacks acknowledged " + e.getKey());
                } else if (rev < e.getValue()) {
                    acknowledgedLost.incrementAndGet();
                    violations.add(id + ": " + e.getKey() + " at rev " + rev + ", acknowledged " + e.getValue());
                }
            }
            for (String hit : found.keySet()) {
                if (!present.containsKey(hit) && !uncertain(hit)) {
                    acknowledgedLost.incrementAndGet(); // an acknowledged delete undone
                    violations.add(id + ": search returned " + hit + ", acknowledged as deleted");
                }
            }
        }

        /** Two acknowledged records rewritten at their next revision, and one new record, through the tenant view. */
        private void upsert() {
            List<VectorRecord> batch = new ArrayList<>();
            for (String rewrite : pick(2)) {
                batch.add(record(rewrite, present.get(rewrite) + 1));
            }
            batch.add(record(newId(), 0));
            try {
                view.upsert(batch);
                batch.forEach(r -> present.put(r.id(), rev(r)));
            } catch (StoreException e) {
                // the call's own account: the records it names may be missing, all others are written
                Set<String> failed = new HashSet<>(e.failedIds());
                for (VectorRecord r : batch) {
                    if (failed.contains(r.id())) {
                        failedUpserts.put(r.id(), r);
                        present.remove(r.id());
                    } else {
                        present.put(r.id(), rev(r));
                    }
                }
                throw e;
            }
        }

        private void count() {
            long counted = view.count();
            if (failedUpserts.isEmpty() && failedDeletes.isEmpty() && counted != present.size()) {
                shortReads.incrementAndGet();
                violations.add(id + ": count " + counted + ", acknowledged " + present.size());
            }
        }

        private void delete() {
            List<String> ids = pick(1);
            if (ids.isEmpty()) {
                return;
            }
            try {
                long deleted = view.delete(ids);
                if (deleted != 1) {
                    // the client sends a request again to the next node when the first one dropped the connection,
                    // possibly after deleting: the second delete finds nothing. The record is gone either way, which
                    // every later read checks.
                    deleteCountsShort.incrementAndGet();
                }
                present.remove(ids.get(0));
            } catch (StoreException e) {
                failedDeletes.add(ids.get(0));
                present.remove(ids.get(0));
                throw e;
            }
        }

        /** Writes again what failed: each call must now succeed. Returns how many records and ids it retried. */
        int retryFailed() {
            int retried = failedUpserts.size() + failedDeletes.size();
            if (!failedUpserts.isEmpty()) {
                view.upsert(List.copyOf(failedUpserts.values()));
                failedUpserts.values().forEach(r -> present.put(r.id(), rev(r)));
                failedUpserts.clear();
            }
            if (!failedDeletes.isEmpty()) {
                view.delete(List.copyOf(failedDeletes));
                failedDeletes.forEach(present::remove);
                failedDeletes.clear();
            }
            return retried;
        }

        /** After recovery and the retries: exactly the acknowledged records, at their revisions, in this tenant only. */
        long verifyFinal(VectorStore unscoped) {
            Map<String, Long> found = new HashMap<>();
            for (SearchHit hit : unscoped.search(vector(id), ALL, Filters.eq("customer", id))) {
                found.put(hit.id(), revOf(hit));
            }
            long lost = present.entrySet().stream().filter(e -> !e.getValue().equals(found.get(e.getKey()))).count();
            acknowledgedLost.addAndGet(lost);
            assertThat(found).as("%s after recovery", id).isEqualTo(present);
            assertThat(view.count()).as("%s count after recovery", id).isEqualTo(present.size());
            assertThat(found.keySet()).as("%s's ids", id).allMatch(k -> k.startsWith(id + "-"));
            return found.size();
        }

        /** Up to n acknowledged records whose state is known. */
        private List<String> pick(int n) {
            List<String> known = present.keySet().stream().filter(k -> !uncertain(k)).sorted().toList();
            List<String> chosen = new ArrayList<>();
            while (chosen.size() < Math.min(n, known.size())) {
                String k = known.get(random.nextInt(known.size()));
                if (!chosen.contains(k)) {
                    chosen.add(k);
                }
            }
            return chosen;
        }

        private String newId() {
            return id + "-" + nextId++;
        }

        private VectorRecord record(String recordId, long rev) {
            return new VectorRecord(recordId, vector(recordId), "text of " + recordId, Metadata.of("rev", rev));
        }

        private long rev(VectorRecord r) {
            return ((Number) r.metadata().get("rev").orElseThrow().toJava()).longValue();
        }
    }
}

package dev.portafilter.opensearch;

import dev.portafilter.conformance.faults.FaultReport;
import dev.portafilter.conformance.faults.FaultWorkload;
import org.junit.jupiter.api.Test;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.HealthStatus;
import org.opensearch.client.opensearch.cat.shards.ShardsRecord;
import org.opensearch.client.opensearch.cluster.HealthResponse;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A data node of the three-node cluster killed ({@code kill -9}) while four tenants search, count, upsert, bulk load,
 * delete and delete by filter ({@link FaultWorkload}), then started again; then two nodes killed at once (no
 * majority: no cluster manager, writes blocked) and both started again. The store is given all three nodes' urls;
 * the index has 3 shards with 1 replica, documents routed by tenant. The workload checks every read against the
 * acknowledged state, sends each failed write again after recovery and compares the final state: nothing
 * acknowledged lost, nothing of another tenant, every failure typed. On top of that: once the replicas took over,
 * and once the nodes are back, every read answers in full.
 */
class OpenSearchClusterFaultTest {
    private static final String TENANT = "customer";
    private static final int DIM = 8;
    /** Also the bulk load's: a bulk request waiting for a cluster manager that is gone fails instead of waiting minutes. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);
    /** Operations each phase runs before the test moves on, counted over all workers. */
    private static final int OPS_PER_PHASE = 40;

    @Test
    void aKilledNodeLosesNoAcknowledgedWriteAndAnswersStayComplete() throws Exception {
        OpenSearchClient admin = TestCluster.client();
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(TestServer.scratchIndex("cluster-fault"),
                FaultWorkload.schema(TENANT), DIM).routeByTenant(TENANT).shards(3, 1).build();
        Set<Integer> down = new TreeSet<>();
        try (OpenSearchStore store = OpenSearchStore.builder(layout).urls(TestCluster.urls()).callTimeout(CALL_TIMEOUT)
                .bulkLoadTimeout(CALL_TIMEOUT).build()) {
            store.createIndex();
            FaultWorkload workload = FaultWorkload.builder("opensearch-cluster/node-kill", store, TENANT)
                    .bulkLoader(store::bulkLoad).build();
            try {
                awaitHealth(admin, layout.indexName(), HealthStatus.Green, 3, Duration.ofSeconds(90));
                workload.load();
                int victim = nodeWithMostPrimaries(admin, layout.indexName());
                int second = victim % TestCluster.NODES + 1;
                workload.start();
                awaitOperations(workload);

                workload.phase("node killed, until yellow");
                long killedAt = System.nanoTime();
                TestCluster.killNode(victim);
                down.add(victim);
                // the cluster has dropped the node and promoted the replicas of its primaries
                awaitHealth(admin, layout.indexName(), HealthStatus.Yellow, 2, Duration.ofSeconds(120));
                workload.fault(String.format("kill -9 of node %d (the most primaries); yellow %.1f s later", victim,
                        seconds(killedAt)));
                FaultWorkload.Phase yellow = workload.phase("yellow (replicas promoted)");
                awaitOperations(workload);

                workload.phase("node restarting, until green");
                long restartAt = System.nanoTime();
                TestCluster.startNodes(down);
                down.clear();
                awaitHealth(admin, layout.indexName(), HealthStatus.Green, 3, Duration.ofMinutes(5));
                System.out.printf("[cluster-fault] node %d back, green %.1f s after its restart began%n", victim,
                        seconds(restartAt));
                FaultWorkload.Phase green = workload.phase("green");
                awaitOperations(workload);

                // two of three down: no cluster manager, writes blocked, one shard copy of three reachable at most
                workload.phase("two killed (no majority)");
                TestCluster.killNode(victim);
                down.add(victim);
                TestCluster.killNode(second);
                down.add(second);
                workload.fault("kill -9 of node " + victim);
                workload.fault("kill -9 of node " + second + " at the same time: no majority");
                assertThat(workload.await(Duration.ofMinutes(3), p -> p.operations() >= 12 && p.writesFailed() > 0))
                        .as("operations and a failed write without a majority within 3 minutes").isTrue();

                workload.phase("both restarting, until green");
                restartAt = System.nanoTime();
                TestCluster.startNodes(down);
                down.clear();
                awaitHealth(admin, layout.indexName(), HealthStatus.Green, 3, Duration.ofMinutes(5));
                System.out.printf("[cluster-fault] nodes %d and %d back, green %.1f s after their restart began%n",
                        victim, second, seconds(restartAt));
                FaultWorkload.Phase recovered = workload.phase("recovered");
                awaitOperations(workload);

                FaultReport report = workload.finish(Duration.ofMinutes(2)).print().assertHeld();
                assertThat(report.retried()).as("failed writes retried").isPositive();
                // once the replicas took over, and again once the nodes are back, every read answers in full
                assertThat(yellow.readsFailed()).as("reads failed after the replicas took over").isZero();
                assertThat(green.readsFailed()).as("reads failed after the node came back").isZero();
                assertThat(recovered.readsFailed()).as("reads failed after both came back").isZero();
            } finally {
                workload.abort();
                if (!down.isEmpty()) {
                    TestCluster.startNodes(down); // leave the cluster whole for the next test
                }
                store.deleteIndex();
            }
        }
    }

    private static void awaitOperations(FaultWorkload workload) {
        assertThat(workload.awaitOperations(OPS_PER_PHASE, Duration.ofMinutes(2)))
                .as("%d operations in phase %s within 2 minutes", OPS_PER_PHASE, workload.current().name()).isTrue();
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void awaitHealth(OpenSearchClient admin, String index, HealthStatus status, int nodes, Duration limit) {
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
}

package dev.portafilter.opensearch;

import dev.portafilter.conformance.faults.FaultReport;
import dev.portafilter.conformance.faults.FaultWorkload;
import dev.portafilter.conformance.faults.FaultyProxy;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The single node under load ({@link FaultWorkload}: four tenants, two workers each, searching, counting, upserting,
 * bulk loading, deleting and deleting by filter) through a {@link FaultyProxy}, while the network fails: connections
 * reset again and again, answers cut part-way, a black hole, a slow link; then healed. Every failure must be typed,
 * nothing acknowledged lost, nothing of another tenant read, the failed writes sent again must converge, and once
 * healed the store answers every call without being rebuilt.
 *
 * <p>The single node itself is not killed: every other test of the build (and of other runs on the machine) uses
 * it. {@link OpenSearchClusterFaultTest} kills and restarts the nodes of the three-node cluster under the same
 * workload.
 */
class OpenSearchProxyFaultTest {
    private static final String TENANT = "customer";
    private static final int DIM = 8;
    /** Short, so that a black-holed call fails in seconds; also the bulk load's. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);
    /** The call timeout, the transport's grace of 1 s and a margin: every call started under a fault has ended. */
    private static final Duration CALLS_DRAINED = Duration.ofSeconds(4);
    private static final Duration FAULT_LASTS = Duration.ofSeconds(5);
    private static final int OPS_PER_PHASE = 40;
    private static final long[] CUT_AFTER_BYTES = {64, 700, 5_000};

    @Test
    void aFailingNetworkUnderLoadLosesNoAcknowledgedWriteAndTheStoreRecovers() throws Exception {
        OpenSearchIndexLayout layout = OpenSearchIndexLayout.builder(TestServer.scratchIndex("proxy-fault"),
                FaultWorkload.schema(TENANT), DIM).build();
        URI server = URI.create(TestServer.url());
        try (OpenSearchStore direct = TestServer.storeByUrl(layout).build();
             FaultyProxy proxy = FaultyProxy.to(server.getHost(), server.getPort())) {
            direct.createIndex();
            OpenSearchStore.Builder viaProxy = TestServer.storeByUrl(layout).callTimeout(CALL_TIMEOUT)
                    .bulkLoadTimeout(CALL_TIMEOUT);
            viaProxy.url(server.getScheme() + "://" + proxy.host() + ":" + proxy.port());
            try (OpenSearchStore store = viaProxy.build()) {
                FaultWorkload workload = FaultWorkload.builder("opensearch/proxy", store, TENANT).workersPerTenant(2)
                        .bulkLoader(store::bulkLoad).build();
                try {
                    workload.load();
                    workload.start();
                    awaitOperations(workload);

                    FaultWorkload.Phase cuts = workload.phase("connections reset");
                    int resets = 0;
                    for (long end = System.nanoTime() + FAULT_LASTS.toNanos(); System.nanoTime() < end; resets++) {
                        proxy.cutAll();
                        TimeUnit.MILLISECONDS.sleep(200);
                    }
                    workload.fault("every open connection reset every 200 ms, " + resets + " times");

                    // a connection's answers counted together: the cut falls in headers, mid-body or in a later answer
                    FaultWorkload.Phase cutAnswers = workload.phase("answers cut");
                    int limits = 0;
                    for (long end = System.nanoTime() + FAULT_LASTS.toNanos(); System.nanoTime() < end; limits++) {
                        proxy.fault(new FaultyProxy.Fault.CutAfter(CUT_AFTER_BYTES[limits % CUT_AFTER_BYTES.length]));
                        TimeUnit.MILLISECONDS.sleep(500);
                    }
                    workload.fault("each connection reset after " + Arrays.toString(CUT_AFTER_BYTES) + " bytes of "
                            + "answers, the limit changed every 500 ms, for " + FAULT_LASTS.toSeconds() + " s");
                    FaultWorkload.Phase blackHole = inject(workload, proxy, new FaultyProxy.Fault.Drop(),
                            "black hole", "every byte swallowed, connections kept open");
                    FaultWorkload.Phase slow = inject(workload, proxy,
                            new FaultyProxy.Fault.Delay(Duration.ofMillis(300)), "slow link",
                            "each chunk of bytes held 300 ms");

                    proxy.fault(FaultyProxy.NONE);
                    // calls started under the faults end within the call timeout; the client drops broken connections
                    workload.phase("healing");
                    TimeUnit.NANOSECONDS.sleep(CALLS_DRAINED.toNanos());
                    FaultWorkload.Phase healed = workload.phase("healed");
                    awaitOperations(workload);

                    FaultReport report = workload.finish(Duration.ofMinutes(1)).print().assertHeld();
                    for (FaultWorkload.Phase p : List.of(cuts, cutAnswers, blackHole)) {
                        assertThat(p.readsFailed() + p.writesFailed()).as("calls failed typed in %s", p.name())
                                .isPositive();
                    }
                    assertThat(slow.operations()).as("calls made on the slow link").isPositive();
                    assertThat(healed.readsFailed() + healed.writesFailed()).as("calls failed once healed").isZero();
                    assertThat(report.retried()).as("failed writes sent again").isPositive();
                    assertThat(report.failureTypes()).as("black-holed calls time out typed")
                            .containsKey("StoreTimeoutException");
                } finally {
                    workload.abort();
                }
            } finally {
                direct.deleteIndex();
            }
        }
    }

    /** The fault for {@link #FAULT_LASTS}, in a phase of its own; returns the phase. */
    private static FaultWorkload.Phase inject(FaultWorkload workload, FaultyProxy proxy, FaultyProxy.Fault fault,
                                              String phase, String description) throws InterruptedException {
        FaultWorkload.Phase p = workload.phase(phase);
        proxy.fault(fault);
        workload.fault(description + " for " + FAULT_LASTS.toSeconds() + " s");
        TimeUnit.NANOSECONDS.sleep(FAULT_LASTS.toNanos());
        return p;
    }

    private static void awaitOperations(FaultWorkload workload) {
        assertThat(workload.awaitOperations(OPS_PER_PHASE, Duration.ofSeconds(30)))
                .as("%d operations in phase %s within 30 s", OPS_PER_PHASE, workload.current().name()).isTrue();
    }
}

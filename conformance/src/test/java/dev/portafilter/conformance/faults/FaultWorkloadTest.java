package dev.portafilter.conformance.faults;

import dev.portafilter.core.StoreException;
import dev.portafilter.core.UnsupportedCapabilityException;
import dev.portafilter.core.filter.Filter;
import dev.portafilter.core.store.Capability;
import dev.portafilter.core.store.ForwardingVectorStore;
import dev.portafilter.core.store.InMemoryVectorStore;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.SearchRequest;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.core.store.VectorStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The workload's account on the in-memory store: healthy, failing typed, and a store that breaks each invariant. */
class FaultWorkloadTest {
    private static final String TENANT = "customer";
    private static final Duration LIMIT = Duration.ofMinutes(1);

    private static VectorStore memory() {
        return new InMemoryVectorStore(FaultWorkload.schema(TENANT), 8);
    }

    private static FaultWorkload workload(VectorStore store) {
        return FaultWorkload.builder("memory", store, TENANT).workersPerTenant(2).operationsPerWorker(80).build();
    }

    @Test
    void aHealthyStoreHoldsEveryInvariantAndEveryOperationIsCounted() {
        InMemoryVectorStore store = (InMemoryVectorStore) memory();
        FaultWorkload workload = FaultWorkload.builder("memory", store, TENANT).workersPerTenant(2)
                .operationsPerWorker(80).bulkLoader(store::upsert).build();
        workload.load();
        workload.start();
        FaultReport report = workload.finish(LIMIT).print().assertHeld();

        assertThat(report.operations()).isEqualTo(4 * 2 * 80);
        assertThat(report.readsFailed() + report.writesFailed()).isZero();
        assertThat(report.retried()).isZero();
        assertThat(report.finalRecords()).isEqualTo(store.count()).isPositive();
        // nothing failed, so nothing was sent again: every other kind ran
        assertThat(report.latencies()).doesNotContainKey(FaultWorkload.Kind.RETRY_FAILED)
                .hasSize(FaultWorkload.Kind.values().length - 1);
        assertThat(report.lines().get(1)).contains("acknowledged writes lost: 0; wrong-tenant rows: 0");
    }

    /** A store that cannot count a filter (Pinecone): the worker searches instead, and nothing is an untyped failure. */
    @Test
    void aStoreWithoutFilteredCountsIsReadBySearchesInstead() {
        VectorStore noCount = new ForwardingVectorStore(memory()) {
            @Override
            public Set<Capability> capabilities() {
                return EnumSet.of(Capability.DELETE_WHERE, Capability.WRITE);
            }

            @Override
            public long count(Filter filter) {
                throw new UnsupportedCapabilityException(backend(), Capability.COUNT, "not in this test");
            }
        };
        FaultWorkload workload = workload(noCount);
        workload.load();
        workload.start();
        FaultReport report = workload.finish(LIMIT).assertHeld();

        assertThat(report.operations()).isEqualTo(4 * 2 * 80);
        assertThat(report.finalRecords()).isPositive();
    }

    /** Every third upsert (the guarded one a tenant view makes) writes its batch and then fails naming all of it: unknown, retried, converged. */
    @Test
    void typedFailuresAreCountedAndTheirRetryConverges() {
        AtomicBoolean faulty = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        VectorStore flaky = new ForwardingVectorStore(memory()) {
            @Override
            public void upsert(List<VectorRecord> records, Filter guard) {
                delegate().upsert(records, guard);
                if (faulty.get() && calls.incrementAndGet() % 3 == 0) {
                    throw new StoreException("injected after the write",
                            records.stream().map(VectorRecord::id).toList(), null);
                }
            }
        };
        FaultWorkload workload = workload(flaky);
        workload.load();
        faulty.set(true);
        workload.phase("flaky");
        workload.start();
        workload.stop(LIMIT);
        faulty.set(false);
        FaultReport report = workload.finish(LIMIT).assertHeld();

        assertThat(report.writesFailed()).isPositive();
        assertThat(report.failureTypes()).containsKey("StoreException");
        assertThat(report.retried()).isPositive();
        assertThat(report.phases()).extracting(FaultReport.PhaseFigures::name).containsExactly("healthy", "flaky");
    }

    /** A store that acknowledges an upsert but drops its last record: the account shows the loss. */
    @Test
    void aLostAcknowledgedWriteIsCaught() {
        AtomicBoolean faulty = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        VectorStore lossy = new ForwardingVectorStore(memory()) {
            @Override
            public void upsert(List<VectorRecord> records, Filter guard) {
                boolean drop = faulty.get() && calls.incrementAndGet() % 5 == 0;
                delegate().upsert(drop ? records.subList(0, records.size() - 1) : records, guard);
            }
        };
        FaultWorkload workload = workload(lossy);
        workload.load();
        faulty.set(true);
        workload.start();
        FaultReport report = workload.finish(LIMIT);

        assertThat(report.shortAnswers() + report.acknowledgedLost()).isPositive();
        assertThatThrownBy(report::assertHeld).isInstanceOf(AssertionError.class);
    }

    /** A store whose search sometimes forgets the filter: rows of other tenants reach a tenant's reads. */
    @Test
    void aRowOfAnotherTenantIsCaught() {
        AtomicInteger calls = new AtomicInteger();
        VectorStore leaky = new ForwardingVectorStore(memory()) {
            @Override
            public List<SearchHit> search(SearchRequest request) {
                return calls.incrementAndGet() % 4 == 0
                        ? delegate().search(SearchRequest.of(request.vector().orElseThrow(), request.topK()))
                        : delegate().search(request);
            }
        };
        FaultWorkload workload = workload(leaky);
        workload.load();
        workload.start();
        FaultReport report = workload.finish(LIMIT);

        assertThat(report.wrongTenantRows()).isPositive();
        assertThatThrownBy(report::assertHeld).isInstanceOf(AssertionError.class);
    }
}

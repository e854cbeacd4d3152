package dev.portafilter.pinecone;

import dev.portafilter.conformance.Poll;
import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.conformance.faults.FaultyProxy;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.StoreTimeoutException;
import dev.portafilter.core.filter.Filters;
import dev.portafilter.core.metadata.StringValue;
import dev.portafilter.core.store.SearchHit;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.localservers.pinecone.LocalPineconeServer;
import io.grpc.Status;
import io.pinecone.clients.Index;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The store's own deadline and typed failures against the local server stalling, refusing, or (through a proxy)
 * cutting the connection in the middle of an answer. The index is opened with a long channel deadline, so that only
 * the store's call timeout can end a stalled call.
 */
class PineconeFaultTest {
    private static final int DIM = ScenarioDataset.DIMENSION;
    private static final Duration TIMEOUT = Duration.ofMillis(300);
    /** Far above every timeout below: a call that would hang fails the test instead. */
    private static final Duration NO_HANG = Duration.ofSeconds(20);
    private static final float[] QUERY = ScenarioDataset.vectorFor("A-C001", DIM);

    private LocalServerBehindProxy local;
    private LocalPineconeServer server;
    private FaultyProxy proxy;
    private Index index;
    private PineconeStore store;

    @BeforeEach
    void start() {
        local = LocalServerBehindProxy.start(DIM, Duration.ofMinutes(1));
        server = local.server();
        proxy = local.proxy();
        index = local.index();
        store = PineconeStore.builder(index, ScenarioDataset.SCHEMA, DIM)
                .retryPolicy(new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(5)))
                .callTimeout(TIMEOUT)
                .build();
        store.upsert(ScenarioDataset.records());
    }

    @AfterEach
    void stop() {
        local.close();
    }

    @Test
    void aStalledServerMissesTheStoresDeadlineOnEveryAttempt() {
        server.delayNext("query", Duration.ofSeconds(5), 2);
        long started = System.nanoTime();
        assertTimeoutPreemptively(NO_HANG, () -> assertThatThrownBy(() -> store.search(QUERY, 3))
                .isInstanceOfSatisfying(StoreTimeoutException.class, e -> assertThat(e.timeout()).isEqualTo(TIMEOUT))
                .hasMessageContaining("after 2 attempts").hasMessageContaining("DEADLINE_EXCEEDED"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("two attempts of 300 ms, with a margin")
                .isLessThan(Duration.ofSeconds(3));
        assertThat(store.search(QUERY, 1).get(0).id()).isEqualTo("A-C001");
    }

    @Test
    void anUnavailableServerIsATypedFailureNotATimeout() {
        server.failNext("upsert", Status.Code.UNAVAILABLE, 2);
        assertThatThrownBy(() -> store.upsert(List.of(ScenarioDataset.byId().get("A-C001"))))
                .isInstanceOf(StoreException.class).isNotInstanceOf(StoreTimeoutException.class)
                .hasMessageContaining("UNAVAILABLE")
                .satisfies(e -> assertThat(((StoreException) e).failedIds()).containsExactly("A-C001"));
    }

    /**
     * A guarded upsert (every tenant view's is) first fetches the records' current copies; when that look-up fails,
     * nothing was sent and the failure names the whole batch (it named none, so a caller took the batch as written).
     */
    @Test
    void aGuardedUpsertWhoseLookUpFailsNamesTheWholeBatch() {
        List<VectorRecord> batch = ScenarioDataset.records().subList(0, 3).stream()
                .map(r -> r.withMetadata(r.metadata().with("focus", new StringValue("rewritten")))).toList();
        server.clearCalls();
        server.failNext("fetch", Status.Code.UNAVAILABLE, 2);
        assertThatThrownBy(() -> store.upsert(batch, Filters.eq("customer", batch.get(0).metadata()
                .get("customer").orElseThrow().toJava())))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.failedIds())
                        .containsExactlyElementsOf(batch.stream().map(VectorRecord::id).toList()))
                .hasMessageContaining("nothing of the batch was written");
        assertThat(server.calls("upsert")).isEmpty();
    }

    /** The delete request fails after the look-up found the records: their deletion is unknown, and they are named. */
    @Test
    void aFailedDeleteNamesTheIdsItWasGivenAndDeletingAgainConverges() {
        List<String> ids = List.of("A-C001", "A-C002", "no-such-id");
        server.failNext("delete", Status.Code.UNAVAILABLE, 2);
        assertThatThrownBy(() -> store.delete(ids))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.failedIds()).containsExactlyElementsOf(ids))
                .hasMessageContaining("may or may not be deleted");
        assertThat(store.delete(ids)).isEqualTo(2);
        assertThat(store.search(QUERY, 100)).extracting(SearchHit::id).doesNotContain("A-C001", "A-C002");
    }

    /** The connection is reset a few bytes into each answer: the search fails, it never returns what got through. */
    @Test
    void aStreamCutMidAnswerIsAnErrorNeverAShortList() {
        List<SearchHit> complete = store.search(QUERY, 10);
        assertThat(complete).hasSize(10);
        proxy.fault(new FaultyProxy.Fault.CutAfter(20));
        assertTimeoutPreemptively(NO_HANG, () -> assertThatThrownBy(() -> store.search(QUERY, 10))
                .isInstanceOf(StoreException.class).hasMessageContaining("after 2 attempts"));
        proxy.fault(FaultyProxy.NONE);
        // the channel waits out gRPC's reconnect backoff before it connects again; until then calls fail typed
        assertThat(Poll.until(Duration.ofSeconds(10), () -> answers(complete))).as("healed: the same complete answer")
                .isTrue();
    }

    private boolean answers(List<SearchHit> expected) {
        try {
            return store.search(QUERY, 10).equals(expected);
        } catch (StoreException stillReconnecting) {
            return false;
        }
    }
}

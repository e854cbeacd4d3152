package dev.portafilter.pinecone;

import dev.portafilter.conformance.ScenarioDataset;
import dev.portafilter.core.StoreException;
import dev.portafilter.core.metadata.Metadata;
import dev.portafilter.core.store.VectorRecord;
import dev.portafilter.localservers.pinecone.LocalPineconeServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pinecone.clients.Index;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Retries against the local server failing or stalling on request. */
class PineconeRetryTest {
    private static final int DIM = ScenarioDataset.DIMENSION;
    private LocalPineconeServer server;
    private Index index;
    private PineconeStore store;

    @BeforeEach
    void start() {
        server = LocalPineconeServer.start(DIM);
        // generous: a loaded CI machine must not turn ordinary calls into deadline failures
        index = LocalFixture.connect(server, Duration.ofSeconds(10));
        store = PineconeStore.builder(index, ScenarioDataset.SCHEMA, DIM)
                .namespacePerTenant(ScenarioDataset.TENANT_FIELD, "r")
                .retryPolicy(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5)))
                .build();
        store.upsert(ScenarioDataset.records());
        server.clearCalls();
    }

    @AfterEach
    void stop() {
        index.close();
        server.close();
    }

    @Test
    void retriesRateLimitingAndUnavailability() {
        server.failNext("query", Status.Code.RESOURCE_EXHAUSTED, 1);
        server.failNext("query", Status.Code.UNAVAILABLE, 1);
        float[] q = ScenarioDataset.vectorFor("A-C001", DIM);
        assertThat(store.partitionForTenant("customer", "CustomerA").search(q, 1).get(0).id()).isEqualTo("A-C001");
        assertThat(server.calls("query")).hasSize(3);
    }

    @Test
    void retriesAMissedDeadline() {
        Index shortDeadline = LocalFixture.connect(server, Duration.ofSeconds(1));
        try {
            PineconeStore impatient = PineconeStore.builder(shortDeadline, ScenarioDataset.SCHEMA, DIM)
                    .namespacePerTenant(ScenarioDataset.TENANT_FIELD, "r")
                    .retryPolicy(new RetryPolicy(5, Duration.ofMillis(1), Duration.ofMillis(5)))
                    .build();
            server.delayNext("fetch", Duration.ofSeconds(4), 1);
            assertThat(impatient.delete(List.of("B-S001"))).isEqualTo(1);
            assertThat(server.calls("fetch").size()).isGreaterThan(2);
        } finally {
            shortDeadline.close();
        }
    }

    @Test
    void givesUpAfterTheLastAttemptNamingTheIdsNotWritten() {
        server.failNext("upsert", Status.Code.RESOURCE_EXHAUSTED, 3);
        List<VectorRecord> batch = List.of(record("n1"), record("n2"));
        assertThatThrownBy(() -> store.upsert(batch))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("after 3 attempts").hasMessageContaining("RESOURCE_EXHAUSTED")
                .hasCauseInstanceOf(StatusRuntimeException.class)
                .satisfies(e -> assertThat(((StoreException) e).failedIds()).containsExactly("n1", "n2"));
        assertThat(server.calls("upsert")).hasSize(3);
        assertThat(server.contents().get("r.CustomerA")).doesNotContain("n1", "n2");
    }

    @Test
    void aFailedLaterRequestNamesOnlyTheRecordsNotWritten() {
        List<VectorRecord> batch = IntStream.range(0, 1_500).mapToObj(i -> record("p" + i)).toList();
        // the first request goes through, the second fails on every attempt
        server.delayNext("upsert", Duration.ZERO, 1);
        server.failNext("upsert", Status.Code.UNAVAILABLE, 3);
        assertThatThrownBy(() -> store.upsert(batch))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("1000 of 1500 records were written before it")
                .satisfies(e -> assertThat(((StoreException) e).failedIds())
                        .containsExactlyElementsOf(batch.subList(1_000, 1_500).stream().map(VectorRecord::id).toList()));
        assertThat(server.contents().get("r.CustomerA")).contains("p0", "p999").doesNotContain("p1000", "p1499");
    }

    @Test
    void doesNotRetryARejectedRequest() {
        server.failNext("query", Status.Code.INVALID_ARGUMENT, 1);
        assertThatThrownBy(() -> store.search(ScenarioDataset.vectorFor("q", DIM), 3))
                .isInstanceOf(StoreException.class).hasMessageContaining("INVALID_ARGUMENT")
                .satisfies(e -> assertThat(((StoreException) e).failedIds()).isEmpty());
        assertThat(server.calls("query")).hasSize(1);
    }

    @Test
    void aNamespaceThatIsGoneHoldsNothing() {
        // what Pinecone answers for a namespace that does not exist (any more)
        server.failNext("query", Status.Code.NOT_FOUND, 1);
        assertThat(store.partitionForTenant("customer", "CustomerB").search(ScenarioDataset.vectorFor("q", DIM), 5))
                .isEmpty();
        server.failNext("delete", Status.Code.NOT_FOUND, 1);
        store.partitionForTenant("customer", "CustomerB").delete(List.of("B-S001"));
        assertThat(server.calls("delete")).hasSize(1);
        // the local server answers so by itself too
        index.deleteAll("r.CustomerB");
        assertThatThrownBy(() -> index.deleteByIds(List.of("B-S001"), "r.CustomerB"))
                .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("NOT_FOUND");
    }

    private static VectorRecord record(String id) {
        return new VectorRecord(id, ScenarioDataset.vectorFor(id, DIM), id,
                Metadata.of("customer", "CustomerA", "documentType", "note"));
    }
}

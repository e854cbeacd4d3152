package dev.portafilter.localservers.pinecone;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.pinecone.proto.DescribeIndexStatsRequest;
import io.pinecone.proto.QueryRequest;
import io.pinecone.proto.UpsertRequest;
import io.pinecone.proto.Vector;
import io.pinecone.proto.VectorServiceGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The server's injected failures, seen by a plain gRPC client: which calls fail, with what, and how many. */
class LocalPineconeServerFaultsTest {
    private LocalPineconeServer server;
    private ManagedChannel channel;
    private VectorServiceGrpc.VectorServiceBlockingStub stub;

    @BeforeEach
    void start() {
        server = LocalPineconeServer.start(2);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        stub = VectorServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    /** The second upsert of three fails on each of its two attempts; the others are written. */
    @Test
    void failAfterFailsTheCallsAfterTheNextFew() {
        server.failAfter("upsert", 1, Status.Code.UNAVAILABLE, 2);

        assertThat(outcome(() -> upsert("a"))).isEqualTo("OK");
        assertThat(outcome(() -> upsert("b"))).isEqualTo("UNAVAILABLE");
        assertThat(outcome(() -> upsert("b"))).isEqualTo("UNAVAILABLE");
        assertThat(outcome(() -> upsert("b"))).isEqualTo("OK");
        assertThat(outcome(() -> upsert("c"))).isEqualTo("OK");
        assertThat(server.contents().get("ns")).containsExactly("a", "b", "c");
        assertThat(server.failuresInjected()).isEqualTo(2);
    }

    /** A seeded share of the chosen methods' calls fails, the same calls for the same seed; others never do. */
    @Test
    void failRandomlyFailsASeededShareOfTheChosenMethodsUntilCleared() {
        upsert("a");
        List<String> first = randomRun(7);
        List<String> again = randomRun(7);

        assertThat(again).isEqualTo(first);
        long failed = first.stream().filter("RESOURCE_EXHAUSTED"::equals).count();
        assertThat(failed).as("about 30%% of 200").isBetween(30L, 90L);
        assertThat(first).containsOnly("OK", "RESOURCE_EXHAUSTED");
        assertThat(server.failuresInjected()).isEqualTo(2 * failed);
    }

    @Test
    void unknownMethodsAndImpossibleSharesAreRefused() {
        assertThatThrownBy(() -> server.failRandomly(Set.of("search"), Status.Code.UNAVAILABLE, 0.5, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no method 'search'");
        assertThatThrownBy(() -> server.failRandomly(Set.of("query"), Status.Code.UNAVAILABLE, 1.5, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> server.failAfter("query", 0, Status.Code.OK, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** 200 queries with 30% failing (seed given), each followed by a statistics call, which is never failed. */
    private List<String> randomRun(long seed) {
        server.failRandomly(Set.of("query", "upsert"), Status.Code.RESOURCE_EXHAUSTED, 0.3, seed);
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            outcomes.add(outcome(() -> stub.query(QueryRequest.newBuilder().setNamespace("ns").setTopK(1)
                    .addVector(1f).addVector(0f).build())));
            assertThat(outcome(() -> stub.describeIndexStats(DescribeIndexStatsRequest.getDefaultInstance())))
                    .isEqualTo("OK");
        }
        server.clearFaults();
        for (int i = 0; i < 20; i++) {
            assertThat(outcome(() -> upsert("a"))).as("cleared").isEqualTo("OK");
        }
        return outcomes;
    }

    private Object upsert(String id) {
        return stub.upsert(UpsertRequest.newBuilder().setNamespace("ns")
                .addVectors(Vector.newBuilder().setId(id).addValues(1f).addValues(0f)).build());
    }

    private static String outcome(Runnable call) {
        try {
            call.run();
            return "OK";
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode().name();
        }
    }
}

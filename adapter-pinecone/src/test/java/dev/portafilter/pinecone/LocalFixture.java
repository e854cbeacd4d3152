package dev.portafilter.pinecone;

import dev.portafilter.localservers.pinecone.LocalPineconeServer;
import io.pinecone.clients.Index;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stores on {@link LocalPineconeServer}s, one per dimension (a Pinecone index has one), each started the first time a
 * store of its dimension is asked for and kept for the test JVM.
 */
final class LocalFixture extends PineconeFixture {
    static final LocalFixture INSTANCE = new LocalFixture();

    private final Map<Integer, Index> indexes = new ConcurrentHashMap<>();

    private LocalFixture() {
    }

    @Override
    public String name() {
        return "pinecone-local";
    }

    @Override
    Index index(int dimension) {
        return indexes.computeIfAbsent(dimension,
                d -> connect(LocalPineconeServer.start(d), Duration.ofSeconds(10)));
    }

    /** The official client's index on this server, plain text, with this deadline per call. */
    static Index connect(LocalPineconeServer server, Duration callTimeout) {
        return PineconeIndexes.open("local-test-key", server.host(), callTimeout);
    }

    @Override
    String runPrefix() {
        return "local";
    }

    @Override
    RetryPolicy retryPolicy() {
        return new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(10));
    }
}

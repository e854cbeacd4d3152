package dev.portafilter.pinecone;

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
                d -> LocalPineconeServer.start(d).connect(Duration.ofSeconds(10)));
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

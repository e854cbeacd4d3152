package dev.portafilter.pinecone;

import dev.portafilter.conformance.ScenarioDataset;
import io.pinecone.clients.Index;

import java.time.Duration;

/** Stores on a {@link LocalPineconeServer} started once for the test JVM. */
final class LocalFixture extends PineconeFixture {
    static final LocalFixture INSTANCE = new LocalFixture();

    final LocalPineconeServer server = LocalPineconeServer.start(ScenarioDataset.DIMENSION);
    private final Index index = server.connect(Duration.ofSeconds(10));

    private LocalFixture() {
    }

    @Override
    public String name() {
        return "pinecone-local";
    }

    @Override
    Index index() {
        return index;
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

package dev.portafilter.pinecone;

import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.localservers.pinecone.LocalPineconeServer;

/**
 * Pinecone stores for the tests of other modules (this module publishes its test classes as a test-jar), on an
 * in-process {@link LocalPineconeServer} that the real client reaches over gRPC: no server or key to set up. Each
 * {@code newStore} works in namespaces of its own (one per customer when the schema has the scenario's tenant field),
 * deleted by {@code dispose}.
 */
public final class PineconeFixtures {
    private PineconeFixtures() {
    }

    public static StoreFixture local() {
        return LocalFixture.INSTANCE;
    }

    /**
     * Starts a local protocol server holding vectors of this dimension, for the rest of the JVM's life, and returns
     * the host to give a client, e.g. {@code http://127.0.0.1:41234} (plaintext).
     */
    public static String startLocalServer(int dimension) {
        return LocalPineconeServer.start(dimension).host();
    }
}

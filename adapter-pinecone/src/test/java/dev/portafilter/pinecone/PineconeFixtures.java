package dev.portafilter.pinecone;

import dev.portafilter.conformance.StoreFixture;

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
}

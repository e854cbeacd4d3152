package dev.portafilter.crossbackend;

import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.opensearch.OpenSearchFixtures;
import dev.portafilter.pgvector.PgvectorFixtures;
import dev.portafilter.pinecone.PineconeFixtures;

import java.util.List;

/** Every backend CI runs: the embedded store, pgvector, OpenSearch and Pinecone's local protocol server. */
final class Backends {
    private Backends() {
    }

    static List<StoreFixture> all() {
        return List.of(StoreFixture.inMemory(), PgvectorFixtures.scratch(), OpenSearchFixtures.scratch(),
                PineconeFixtures.local());
    }
}

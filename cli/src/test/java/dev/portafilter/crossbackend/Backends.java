package dev.portafilter.crossbackend;

import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.opensearch.OpenSearchFixtures;
import dev.portafilter.pgvector.PgvectorFixtures;
import dev.portafilter.pinecone.PineconeFixtures;

import java.util.ArrayList;
import java.util.List;

/**
 * Every backend CI runs (the embedded store, pgvector, OpenSearch and Pinecone's local protocol server), each with the
 * metadata declared and undeclared ({@link StoreFixture#undeclared}).
 */
final class Backends {
    private Backends() {
    }

    static List<StoreFixture> all() {
        List<StoreFixture> declared = List.of(StoreFixture.inMemory(), PgvectorFixtures.scratch(),
                OpenSearchFixtures.scratch(), PineconeFixtures.local());
        List<StoreFixture> all = new ArrayList<>(declared);
        declared.forEach(f -> all.add(StoreFixture.undeclared(f)));
        return all;
    }
}

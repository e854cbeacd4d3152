package dev.portafilter.conformance.memory;

import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.InMemoryVectorStore;
import dev.portafilter.core.store.VectorStore;

final class InMemoryFixture implements StoreFixture {
    static final InMemoryFixture INSTANCE = new InMemoryFixture();

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public VectorStore newStore(MetadataSchema schema, int dimension) {
        return new InMemoryVectorStore(schema, dimension);
    }
}

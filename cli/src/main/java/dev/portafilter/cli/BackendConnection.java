package dev.portafilter.cli;

import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorStore;

/**
 * A live backend, reached and checked. As a {@link StoreFixture} it gives scratch stores for an audit or a cases run:
 * each lives in a table, index or namespace set of its own, named after this run, and is removed when disposed —
 * nothing else is touched. {@link #openStore} opens a named, lasting store instead, for ingestion.
 */
interface BackendConnection extends StoreFixture, AutoCloseable {

    /**
     * The store named {@code name} (a table, an index, a namespace prefix), created if it does not exist yet.
     * {@code tenantField} picks Pinecone's namespace per tenant.
     */
    VectorStore openStore(String name, MetadataSchema schema, int dimension, String tenantField);

    /** Where the backend is and which version answers, for reports; never includes credentials. */
    String describe();

    @Override
    void close();
}

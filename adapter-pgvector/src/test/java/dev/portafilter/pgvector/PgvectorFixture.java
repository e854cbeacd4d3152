package dev.portafilter.pgvector;

import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorStore;

/** Each store gets a new table in the scratch schema; dispose drops it. */
final class PgvectorFixture implements StoreFixture {
    static final PgvectorFixture INSTANCE = new PgvectorFixture();

    @Override
    public String name() {
        return "pgvector";
    }

    @Override
    public VectorStore newStore(MetadataSchema schema, int dimension) {
        PgvectorTableLayout layout = PgvectorTableLayout.builder(PgvectorTestServer.SCRATCH_SCHEMA,
                PgvectorTestServer.uniqueTableName("contract"), schema, dimension).build();
        PgvectorSchemaManager.createTable(PgvectorTestServer.dataSource(), layout);
        return PgvectorStore.builder(layout).dataSource(PgvectorTestServer.dataSource()).build();
    }

    @Override
    public void dispose(VectorStore store) {
        PgvectorSchemaManager.dropTable(PgvectorTestServer.dataSource(), ((PgvectorStore) store).layout());
        store.close();
    }
}

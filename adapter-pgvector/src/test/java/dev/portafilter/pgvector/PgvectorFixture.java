package dev.portafilter.pgvector;

import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorStore;

/** Each store gets a new table in the scratch schema; dispose drops it. */
final class PgvectorFixture implements StoreFixture {
    static final PgvectorFixture INSTANCE = new PgvectorFixture(false);
    /**
     * Tables shaped like Spring AI's and LangChain4j's: every metadata field in one {@code json} column, filtered
     * through {@code (metadata::jsonb)} and its GIN expression index.
     */
    static final PgvectorFixture JSON_DOCUMENT = new PgvectorFixture(true);

    private final boolean jsonDocument;

    private PgvectorFixture(boolean jsonDocument) {
        this.jsonDocument = jsonDocument;
    }

    @Override
    public String name() {
        return jsonDocument ? "pgvector/json-document" : "pgvector";
    }

    @Override
    public VectorStore newStore(MetadataSchema schema, int dimension) {
        PgvectorTableLayout.Builder builder = PgvectorTableLayout.builder(PgvectorTestServer.SCRATCH_SCHEMA,
                PgvectorTestServer.uniqueTableName("contract"), schema, dimension);
        if (jsonDocument) {
            builder.documentColumn("metadata", PgvectorTableLayout.DocumentType.JSON).declaredFieldsInDocument();
        }
        PgvectorTableLayout layout = builder.build();
        PgvectorSchemaManager.createTable(PgvectorTestServer.dataSource(), layout);
        return PgvectorStore.builder(layout).dataSource(PgvectorTestServer.dataSource()).build();
    }

    @Override
    public void dispose(VectorStore store) {
        PgvectorSchemaManager.dropTable(PgvectorTestServer.dataSource(), ((PgvectorStore) store).layout());
        store.close();
    }
}

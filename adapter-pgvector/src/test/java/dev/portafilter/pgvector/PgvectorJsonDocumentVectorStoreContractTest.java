package dev.portafilter.pgvector;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.VectorStoreContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("pgvector/json-document")
class PgvectorJsonDocumentVectorStoreContractTest extends VectorStoreContract {
    @Override
    protected StoreFixture fixture() {
        return PgvectorFixture.JSON_DOCUMENT;
    }
}

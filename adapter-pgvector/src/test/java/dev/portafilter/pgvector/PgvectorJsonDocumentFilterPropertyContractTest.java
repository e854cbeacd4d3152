package dev.portafilter.pgvector;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.FilterPropertyContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("pgvector/json-document")
class PgvectorJsonDocumentFilterPropertyContractTest extends FilterPropertyContract {
    @Override
    protected StoreFixture fixture() {
        return PgvectorFixture.JSON_DOCUMENT;
    }
}

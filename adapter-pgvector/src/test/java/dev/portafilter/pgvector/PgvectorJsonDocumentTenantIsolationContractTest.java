package dev.portafilter.pgvector;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.TenantIsolationContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("pgvector/json-document")
class PgvectorJsonDocumentTenantIsolationContractTest extends TenantIsolationContract {
    @Override
    protected StoreFixture fixture() {
        return PgvectorFixture.JSON_DOCUMENT;
    }
}

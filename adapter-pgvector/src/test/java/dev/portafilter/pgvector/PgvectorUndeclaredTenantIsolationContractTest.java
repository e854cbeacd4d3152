package dev.portafilter.pgvector;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.TenantIsolationContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("pgvector/undeclared")
class PgvectorUndeclaredTenantIsolationContractTest extends TenantIsolationContract {
    @Override
    protected StoreFixture fixture() {
        return StoreFixture.undeclared(PgvectorFixture.INSTANCE);
    }
}

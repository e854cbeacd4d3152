package dev.portafilter.pinecone;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.TenantIsolationContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("pinecone-local/undeclared")
class PineconeLocalUndeclaredTenantIsolationContractTest extends TenantIsolationContract {
    @Override
    protected StoreFixture fixture() {
        return StoreFixture.undeclared(LocalFixture.INSTANCE);
    }
}

package dev.portafilter.conformance.memory;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.TenantIsolationContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("memory/undeclared")
class InMemoryUndeclaredTenantIsolationContractTest extends TenantIsolationContract {
    @Override
    protected StoreFixture fixture() {
        return StoreFixture.undeclared(StoreFixture.inMemory());
    }
}

package dev.portafilter.opensearch;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.TenantIsolationContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("opensearch/undeclared")
class OpenSearchUndeclaredTenantIsolationContractTest extends TenantIsolationContract {
    @Override
    protected StoreFixture fixture() {
        return StoreFixture.undeclared(OpenSearchFixture.APPROXIMATE);
    }
}

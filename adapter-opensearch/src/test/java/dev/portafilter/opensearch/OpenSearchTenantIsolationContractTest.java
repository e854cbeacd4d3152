package dev.portafilter.opensearch;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.TenantIsolationContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("opensearch")
class OpenSearchTenantIsolationContractTest extends TenantIsolationContract {
    @Override
    protected StoreFixture fixture() {
        return OpenSearchFixture.APPROXIMATE;
    }
}

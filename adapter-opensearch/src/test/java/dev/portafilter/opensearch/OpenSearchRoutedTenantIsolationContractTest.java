package dev.portafilter.opensearch;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.conformance.TenantIsolationContract;

/** Tenant isolation again with documents routed by tenant over three shards, views confined to their shard. */
@Backend("opensearch")
class OpenSearchRoutedTenantIsolationContractTest extends TenantIsolationContract {
    @Override
    protected StoreFixture fixture() {
        return OpenSearchFixture.ROUTED;
    }
}

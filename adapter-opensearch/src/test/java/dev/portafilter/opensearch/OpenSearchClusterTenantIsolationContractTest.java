package dev.portafilter.opensearch;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.TenantIsolationContract;
import dev.portafilter.conformance.StoreFixture;

/** The TenantIsolationContract on the three-node cluster: three shards, one replica, documents routed by tenant. */
@Backend("opensearch-cluster")
class OpenSearchClusterTenantIsolationContractTest extends TenantIsolationContract {
    @Override
    protected StoreFixture fixture() {
        return OpenSearchFixture.CLUSTER;
    }
}

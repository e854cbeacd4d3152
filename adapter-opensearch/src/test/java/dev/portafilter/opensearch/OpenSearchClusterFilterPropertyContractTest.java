package dev.portafilter.opensearch;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.FilterPropertyContract;
import dev.portafilter.conformance.StoreFixture;

/** The FilterPropertyContract on the three-node cluster: three shards, one replica, documents routed by tenant. */
@Backend("opensearch-cluster")
class OpenSearchClusterFilterPropertyContractTest extends FilterPropertyContract {
    @Override
    protected StoreFixture fixture() {
        return OpenSearchFixture.CLUSTER;
    }
}

package dev.portafilter.opensearch;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.VectorStoreContract;
import dev.portafilter.conformance.StoreFixture;

/** The VectorStoreContract on the three-node cluster: three shards, one replica, documents routed by tenant. */
@Backend("opensearch-cluster")
class OpenSearchClusterVectorStoreContractTest extends VectorStoreContract {
    @Override
    protected StoreFixture fixture() {
        return OpenSearchFixture.CLUSTER;
    }
}

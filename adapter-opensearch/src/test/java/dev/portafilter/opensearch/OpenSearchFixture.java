package dev.portafilter.opensearch;

import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorStore;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.HealthStatus;
import org.opensearch.client.opensearch._types.Refresh;

import java.io.IOException;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/** Each store gets a new, uniquely named index; dispose deletes it. */
final class OpenSearchFixture implements StoreFixture {
    /** The defaults: approximate k-NN with the filter inside it. */
    static final OpenSearchFixture APPROXIMATE = new OpenSearchFixture("opensearch", TestServer::client,
            layout -> layout, OpenSearchStore.SearchMode.APPROXIMATE);
    /** Documents routed by tenant, tenant views confined to their shard, on three shards. */
    static final OpenSearchFixture ROUTED = new OpenSearchFixture("opensearch", TestServer::client,
            layout -> layout.routeByTenant("customer").shards(3, 0), OpenSearchStore.SearchMode.APPROXIMATE);
    /** The exact knn_score script instead of HNSW. */
    static final OpenSearchFixture EXACT = new OpenSearchFixture("opensearch", TestServer::client,
            layout -> layout, OpenSearchStore.SearchMode.EXACT);
    /**
     * On the three-node cluster: three shards with one replica each, documents routed by tenant; every index is green
     * (each shard's replica on another node) before its store is used.
     */
    static final OpenSearchFixture CLUSTER = new OpenSearchFixture(TestCluster.BACKEND, TestCluster::client,
            layout -> layout.routeByTenant("customer").shards(3, 1), OpenSearchStore.SearchMode.APPROXIMATE);

    private final String name;
    private final Supplier<OpenSearchClient> client;
    private final UnaryOperator<OpenSearchIndexLayout.Builder> layout;
    private final OpenSearchStore.SearchMode mode;

    private OpenSearchFixture(String name, Supplier<OpenSearchClient> client,
                              UnaryOperator<OpenSearchIndexLayout.Builder> layout, OpenSearchStore.SearchMode mode) {
        this.name = name;
        this.client = client;
        this.layout = layout;
        this.mode = mode;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public VectorStore newStore(MetadataSchema schema, int dimension) {
        OpenSearchIndexLayout indexLayout = layout.apply(
                OpenSearchIndexLayout.builder(TestServer.scratchIndex("contract"), schema, dimension)).build();
        OpenSearchClient server = client.get();
        OpenSearchStore store = OpenSearchStore.builder(indexLayout).client(server)
                .refresh(Refresh.WaitFor).searchMode(mode).build();
        store.createIndex();
        awaitGreen(server, indexLayout.indexName());
        return store;
    }

    /** Until every copy of the index is assigned: on one node at once, on the cluster once the replicas recovered. */
    private static void awaitGreen(OpenSearchClient server, String index) {
        try {
            var health = server.cluster().health(h -> h.index(index).waitForStatus(HealthStatus.Green)
                    .timeout(t -> t.time("60s")));
            if (health.timedOut()) {
                throw new IllegalStateException("index " + index + " not green within 60 s: " + health.status());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cluster health of " + index + " failed", e);
        }
    }

    @Override
    public void dispose(VectorStore store) {
        try {
            ((OpenSearchStore) store).deleteIndex();
        } finally {
            store.close();
        }
    }
}

package dev.portafilter.opensearch;

import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.core.metadata.MetadataSchema;
import dev.portafilter.core.store.VectorStore;
import org.opensearch.client.opensearch._types.Refresh;

import java.util.function.UnaryOperator;

/** Each store gets a new, uniquely named index; dispose deletes it. */
final class OpenSearchFixture implements StoreFixture {
    /** The defaults: approximate k-NN with the filter inside it. */
    static final OpenSearchFixture APPROXIMATE = new OpenSearchFixture(layout -> layout, OpenSearchStore.SearchMode.APPROXIMATE);
    /** Documents routed by tenant, tenant views confined to their shard, on three shards. */
    static final OpenSearchFixture ROUTED = new OpenSearchFixture(
            layout -> layout.routeByTenant("customer").shards(3, 0), OpenSearchStore.SearchMode.APPROXIMATE);
    /** The exact knn_score script instead of HNSW. */
    static final OpenSearchFixture EXACT = new OpenSearchFixture(layout -> layout, OpenSearchStore.SearchMode.EXACT);

    private final UnaryOperator<OpenSearchIndexLayout.Builder> layout;
    private final OpenSearchStore.SearchMode mode;

    private OpenSearchFixture(UnaryOperator<OpenSearchIndexLayout.Builder> layout, OpenSearchStore.SearchMode mode) {
        this.layout = layout;
        this.mode = mode;
    }

    @Override
    public String name() {
        return "opensearch";
    }

    @Override
    public VectorStore newStore(MetadataSchema schema, int dimension) {
        OpenSearchIndexLayout indexLayout = layout.apply(
                OpenSearchIndexLayout.builder(TestServer.scratchIndex("contract"), schema, dimension)).build();
        OpenSearchStore store = OpenSearchStore.builder(indexLayout).client(TestServer.client())
                .refresh(Refresh.WaitFor).searchMode(mode).build();
        store.createIndex();
        return store;
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

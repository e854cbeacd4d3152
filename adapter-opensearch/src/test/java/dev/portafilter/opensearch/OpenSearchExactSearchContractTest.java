package dev.portafilter.opensearch;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.StoreFixture;
import dev.portafilter.conformance.VectorStoreContract;

/** The store contract again with the exact knn_score script instead of the HNSW knn query. */
@Backend("opensearch")
class OpenSearchExactSearchContractTest extends VectorStoreContract {
    @Override
    protected StoreFixture fixture() {
        return OpenSearchFixture.EXACT;
    }
}

package dev.portafilter.opensearch;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.VectorStoreContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("opensearch/undeclared")
class OpenSearchUndeclaredVectorStoreContractTest extends VectorStoreContract {
    @Override
    protected StoreFixture fixture() {
        return StoreFixture.undeclared(OpenSearchFixture.APPROXIMATE);
    }
}

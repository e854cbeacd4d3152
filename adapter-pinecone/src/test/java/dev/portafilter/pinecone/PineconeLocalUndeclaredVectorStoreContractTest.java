package dev.portafilter.pinecone;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.VectorStoreContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("pinecone-local/undeclared")
class PineconeLocalUndeclaredVectorStoreContractTest extends VectorStoreContract {
    @Override
    protected StoreFixture fixture() {
        return StoreFixture.undeclared(LocalFixture.INSTANCE);
    }
}

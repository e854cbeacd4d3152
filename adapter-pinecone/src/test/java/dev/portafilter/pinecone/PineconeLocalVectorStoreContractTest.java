package dev.portafilter.pinecone;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.VectorStoreContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("pinecone-local")
class PineconeLocalVectorStoreContractTest extends VectorStoreContract {
    @Override
    protected StoreFixture fixture() {
        return LocalFixture.INSTANCE;
    }
}

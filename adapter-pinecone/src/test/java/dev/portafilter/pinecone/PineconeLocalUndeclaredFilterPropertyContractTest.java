package dev.portafilter.pinecone;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.FilterPropertyContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("pinecone-local/undeclared")
class PineconeLocalUndeclaredFilterPropertyContractTest extends FilterPropertyContract {
    @Override
    protected StoreFixture fixture() {
        return StoreFixture.undeclared(LocalFixture.INSTANCE);
    }
}

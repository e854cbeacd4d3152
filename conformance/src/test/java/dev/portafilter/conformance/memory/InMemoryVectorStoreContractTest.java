package dev.portafilter.conformance.memory;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.VectorStoreContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("memory")
class InMemoryVectorStoreContractTest extends VectorStoreContract {
    @Override
    protected StoreFixture fixture() {
        return StoreFixture.inMemory();
    }
}

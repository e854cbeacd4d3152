package dev.portafilter.conformance.memory;

import dev.portafilter.conformance.Backend;
import dev.portafilter.conformance.VectorStoreContract;
import dev.portafilter.conformance.StoreFixture;

@Backend("memory/undeclared")
class InMemoryUndeclaredVectorStoreContractTest extends VectorStoreContract {
    @Override
    protected StoreFixture fixture() {
        return StoreFixture.undeclared(StoreFixture.inMemory());
    }
}
